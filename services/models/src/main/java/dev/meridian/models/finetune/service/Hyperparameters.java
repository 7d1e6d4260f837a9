package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.error.ApiException;

/**
 * The three knobs of a job, each {@code "auto"} or a value in OpenAI's range, and how "auto" is chosen from the
 * dataset size once the training file has been read.
 *
 * @param nEpochs {@code null} for auto
 * @param batchSize {@code null} for auto
 * @param learningRateMultiplier {@code null} for auto
 */
public record Hyperparameters(Integer nEpochs, Integer batchSize, Double learningRateMultiplier) {

    public static final int MAX_EPOCHS = 50;
    public static final int MAX_BATCH = 256;
    public static final double MAX_LR_MULTIPLIER = 10;

    public static Hyperparameters parse(JsonNode node, String prefix) {
        if (node == null || node.isNull()) {
            return new Hyperparameters(null, null, null);
        }
        if (!node.isObject()) {
            throw ApiException.of(400, "invalid_hyperparameters", prefix, "`" + prefix + "` must be an object"
                    + " with n_epochs, batch_size and learning_rate_multiplier.");
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("n_epochs") && !f.equals("batch_size") && !f.equals("learning_rate_multiplier")) {
                throw ApiException.of(400, "unknown_parameter", prefix + "." + f, "Unknown hyperparameter `"
                        + f + "`; use n_epochs, batch_size, learning_rate_multiplier.");
            }
        }
        Double epochs = number(node, "n_epochs", prefix, 1, MAX_EPOCHS, true);
        Double batch = number(node, "batch_size", prefix, 1, MAX_BATCH, true);
        Double lr = number(node, "learning_rate_multiplier", prefix, 0, MAX_LR_MULTIPLIER, false);
        return new Hyperparameters(epochs == null ? null : epochs.intValue(),
                batch == null ? null : batch.intValue(), lr);
    }

    private static Double number(JsonNode node, String field, String prefix, double min, double max,
            boolean integer) {
        JsonNode v = node.get(field);
        String param = prefix + "." + field;
        if (v == null || v.isNull() || (v.isTextual() && v.asText().equals("auto"))) {
            return null;
        }
        String range = integer ? "an integer from " + (int) min + " to " + (int) max
                : "a number above " + min + " and at most " + max;
        if (!v.isNumber() || (integer && !v.canConvertToExactIntegral())) {
            throw ApiException.of(400, "invalid_hyperparameters", param, "`" + param + "` must be \"auto\" or "
                    + range + "; got " + v + ".");
        }
        double d = v.asDouble();
        if ((integer ? d < min : d <= min) || d > max) {
            throw ApiException.of(400, "invalid_hyperparameters", param, "`" + param + "` must be \"auto\" or "
                    + range + "; got " + v + ".");
        }
        return d;
    }

    /** Fills in "auto": more epochs and smaller batches for small datasets, the base learning rate as it is. */
    public Hyperparameters resolve(int examples) {
        int epochs = nEpochs != null ? nEpochs : Math.max(3, Math.min(25, (int) Math.ceil(3000.0 / examples)));
        int batch = batchSize != null ? batchSize
                : Math.max(8, Math.min(64, Integer.highestOneBit(Math.max(1, examples / 32))));
        double lr = learningRateMultiplier != null ? learningRateMultiplier : 1.0;
        return new Hyperparameters(epochs, batch, lr);
    }

    /** As the job shows it: a value, or "auto" where none was resolved yet. */
    public java.util.Map<String, Object> view() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("n_epochs", nEpochs == null ? "auto" : nEpochs);
        m.put("batch_size", batchSize == null ? "auto" : batchSize);
        m.put("learning_rate_multiplier", learningRateMultiplier == null ? "auto" : learningRateMultiplier);
        return m;
    }
}
