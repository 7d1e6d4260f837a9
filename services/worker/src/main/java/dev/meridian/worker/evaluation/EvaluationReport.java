package dev.meridian.worker.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meridian.worker.training.EpochMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A succeeded job's evaluation of its tuned model (the head it exports) on the validation examples, written as the
 * job's result file {@value #FILE}; the per-epoch metrics are also written as CSV ({@value #METRICS_FILE}, OpenAI's
 * kind of result file). The layout is documented in docs/api.md ("Result files").
 *
 * @param evaluatedOn {@value #VALIDATION_FILE}, {@value #HELD_OUT} (the examples held out of the training file) or,
 *         for a training file too small to hold any out, {@value #TRAINING_FILE}
 * @param bestEpoch the epoch whose head was exported: the lowest validation loss
 * @param groups per {@code group} of the evaluated examples; absent when none has one
 * @param epochs the same rows as the CSV
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(
        String object,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("fine_tuned_model") String fineTunedModel,
        @JsonProperty("base_model") String baseModel,
        @JsonProperty("evaluated_on") String evaluatedOn,
        List<String> labels,
        @JsonProperty("best_epoch") int bestEpoch,
        @JsonProperty("epochs_run") int epochsRun,
        @JsonProperty("stopped_early") boolean stoppedEarly,
        ClassificationMetrics metrics,
        GroupReport groups,
        List<EpochRow> epochs) {

    public static final String OBJECT = "fine_tuning.job.evaluation";
    public static final String FILE = "evaluation.json";
    public static final String METRICS_FILE = "metrics.csv";
    public static final String VALIDATION_FILE = "validation_file";
    public static final String HELD_OUT = "held_out_split";
    public static final String TRAINING_FILE = "training_file";
    /** Equal-width confidence bins of the expected calibration error. */
    public static final int CALIBRATION_BINS = 10;
    /** The CSV's header. */
    public static final String CSV_HEADER = "epoch,step,train_loss,train_accuracy,valid_loss,valid_accuracy";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One epoch; the validation values are absent when the job had no validation examples. */
    public record EpochRow(int epoch, int step, @JsonProperty("train_loss") double trainLoss,
            @JsonProperty("train_accuracy") double trainAccuracy,
            @JsonProperty("valid_loss") @JsonInclude(JsonInclude.Include.ALWAYS) Double validLoss,
            @JsonProperty("valid_accuracy") @JsonInclude(JsonInclude.Include.ALWAYS) Double validAccuracy) {

        static EpochRow of(EpochMetrics m) {
            return new EpochRow(m.epoch(), m.step(), m.trainLoss(), m.trainAccuracy(),
                    m.validated() ? m.validLoss() : null, m.validated() ? m.validAccuracy() : null);
        }
    }

    /** What was run: the job, and how its training went. */
    public record Run(String jobId, String fineTunedModel, String baseModel, String evaluatedOn, int bestEpoch,
            boolean stoppedEarly, List<EpochMetrics> epochs) {
    }

    /**
     * Evaluates the exported head's class probabilities {@code probabilities[i]} of the examples with true labels
     * {@code truth[i]} and groups {@code groups[i]} ({@code null} where none).
     */
    public static EvaluationReport of(Run run, List<String> labels, float[][] probabilities, int[] truth,
            List<String> groups) {
        int n = truth.length;
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            float[] p = probabilities[i];
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            confidence[i] = p[best];
        }
        var metrics = ClassificationMetrics.of(labels, truth, predicted, confidence, CALIBRATION_BINS);
        var byGroup = GroupReport.of(labels, truth, predicted, confidence, groups, CALIBRATION_BINS);
        return new EvaluationReport(OBJECT, run.jobId(), run.fineTunedModel(), run.baseModel(), run.evaluatedOn(),
                List.copyOf(labels), run.bestEpoch(), run.epochs().size(), run.stoppedEarly(), metrics, byGroup,
                run.epochs().stream().map(EpochRow::of).toList());
    }

    public byte[] json() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the evaluation report cannot be written", e);
        }
    }

    /** The per-epoch metrics as CSV: {@value #CSV_HEADER}, the validation columns empty without validation. */
    public static byte[] csv(List<EpochMetrics> epochs) {
        var sb = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochMetrics m : epochs) {
            sb.append(m.epoch()).append(',').append(m.step()).append(',').append(number(m.trainLoss())).append(',')
                    .append(number(m.trainAccuracy())).append(',')
                    .append(m.validated() ? number(m.validLoss()) : "").append(',')
                    .append(m.validated() ? number(m.validAccuracy()) : "").append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }
}
