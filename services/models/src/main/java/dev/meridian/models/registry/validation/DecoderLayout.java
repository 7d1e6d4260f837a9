package dev.meridian.models.registry.validation;

import dev.meridian.common.error.ApiException;
import dev.meridian.models.registry.onnx.ElementType;
import dev.meridian.models.registry.onnx.TensorSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signature of a decoder with a KV cache, as Hugging Face's exporters write it, read from the graph's declared
 * inputs and outputs: {@code input_ids} and {@code attention_mask} (INT64 [batch, sequence]), optionally
 * {@code position_ids}, {@code past_key_values.N.key/value} (FLOAT [batch, kv_heads, past, head_dim], N = 0..L-1),
 * and out {@code logits} (FLOAT [batch, sequence, vocabulary]) and {@code present.N.key/value} with the same layout.
 *
 * @param vocabSize the width of {@code logits}
 */
public record DecoderLayout(int layers, int kvHeads, int headDim, int vocabSize, boolean positionIds) {

    private static final Pattern PAST = Pattern.compile("past_key_values\\.(\\d{1,4})\\.(key|value)");
    private static final Pattern PRESENT = Pattern.compile("present\\.(\\d{1,4})\\.(key|value)");
    private static final String EXPORT_HINT = " Export the decoder with its KV cache, e.g. optimum-cli export onnx"
            + " --task text-generation-with-past, and upload model.onnx of that folder.";

    /** Reads the layout; a 400 ({@code decoder_signature}) naming the first thing that differs. */
    public static DecoderLayout of(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        Map<String, TensorSpec> in = byName(inputs);
        Map<String, TensorSpec> out = byName(outputs);
        for (String name : List.of("input_ids", "attention_mask")) {
            TensorSpec s = in.get(name);
            if (s == null) {
                throw refuse("The decoder has no input '" + name + "'; a generative model takes input_ids,"
                        + " attention_mask, optionally position_ids, and past_key_values.N.key/value." + EXPORT_HINT);
            }
            checkType(s, "input", ElementType.INT64, 2, "INT64 [batch, sequence]");
        }
        boolean positionIds = in.containsKey("position_ids");
        if (positionIds) {
            checkType(in.get("position_ids"), "input", ElementType.INT64, 2, "INT64 [batch, sequence]");
        }
        TreeMap<Integer, int[]> past = kv(in, PAST, "input", "past_key_values");
        for (String name : in.keySet()) {
            if (!name.equals("input_ids") && !name.equals("attention_mask") && !name.equals("position_ids")
                    && !PAST.matcher(name).matches()) {
                throw refuse("The decoder takes an input '" + name + "' that inference does not feed; it feeds"
                        + " input_ids, attention_mask, position_ids and past_key_values.N.key/value only."
                        + (name.equals("use_cache_branch") ? " Upload decoder_with_past_model.onnx, or a merged"
                                + " decoder exported without the use_cache_branch switch." : EXPORT_HINT));
            }
        }
        if (past.isEmpty()) {
            throw refuse("The decoder takes no past_key_values.N.key/value inputs, so it cannot reuse its KV cache"
                    + " between tokens." + EXPORT_HINT);
        }
        int layers = contiguous(past, "past_key_values");
        int[] kv = past.firstEntry().getValue();
        for (var layer : past.entrySet()) {
            if (layer.getValue()[0] != kv[0] || layer.getValue()[1] != kv[1]) {
                throw refuse("past_key_values." + layer.getKey() + " has " + layer.getValue()[0] + " kv heads of "
                        + layer.getValue()[1] + ", but past_key_values.0 has " + kv[0] + " of " + kv[1]
                        + "; every layer's cache must have the same layout.");
            }
        }
        TensorSpec logits = out.get("logits");
        if (logits == null) {
            throw refuse("The decoder has no output 'logits' (FLOAT [batch, sequence, vocabulary])." + EXPORT_HINT);
        }
        checkType(logits, "output", ElementType.FLOAT, 3, "FLOAT [batch, sequence, vocabulary]");
        long vocab = logits.shape().get(2);
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) {
            throw refuse("The decoder's output 'logits' does not declare its last dimension (the vocabulary size);"
                    + " re-export it with a fixed vocabulary dimension.");
        }
        TreeMap<Integer, int[]> present = kv(out, PRESENT, "output", "present");
        if (!present.keySet().equals(past.keySet())) {
            throw refuse("The decoder takes past_key_values for layers 0.." + (layers - 1) + " but gives present for "
                    + (present.isEmpty() ? "none" : "layers " + present.keySet()) + "; each past_key_values.N needs"
                    + " its present.N.key/value output to carry the cache to the next step.");
        }
        for (var layer : present.entrySet()) {
            int[] p = layer.getValue();
            if (p[0] != kv[0] || p[1] != kv[1]) {
                throw refuse("present." + layer.getKey() + " has " + p[0] + " kv heads of " + p[1] + ", but"
                        + " past_key_values." + layer.getKey() + " has " + kv[0] + " of " + kv[1] + "; present must"
                        + " have the layout of the past it extends, so it can be fed back.");
            }
        }
        return new DecoderLayout(layers, kv[0], kv[1], (int) vocab, positionIds);
    }

    private static Map<String, TensorSpec> byName(List<TensorSpec> specs) {
        Map<String, TensorSpec> map = new HashMap<>();
        specs.forEach(s -> map.put(s.name(), s));
        return map;
    }

    /** Layer → {kv heads, head dim} of the tensors matching {@code pattern}, both key and value required. */
    private static TreeMap<Integer, int[]> kv(Map<String, TensorSpec> specs, Pattern pattern, String kind,
            String prefix) {
        TreeMap<Integer, int[]> layers = new TreeMap<>();
        Map<Integer, Integer> halves = new HashMap<>();
        for (TensorSpec s : specs.values()) {
            Matcher m = pattern.matcher(s.name());
            if (!m.matches()) {
                continue;
            }
            checkType(s, kind, ElementType.FLOAT, 4, "FLOAT [batch, kv_heads, sequence, head_dim]");
            long heads = s.shape().get(1);
            long dim = s.shape().get(3);
            if (heads <= 0 || dim <= 0 || heads > 4096 || dim > 65536) {
                throw refuse("The decoder's " + kind + " '" + s.name() + "' does not declare fixed kv_heads and"
                        + " head_dim (dimensions 1 and 3 of " + s.shape() + "); re-export it with static head sizes.");
            }
            int layer = Integer.parseInt(m.group(1));
            int[] layout = {(int) heads, (int) dim};
            int[] other = layers.putIfAbsent(layer, layout);
            if (other != null && (other[0] != layout[0] || other[1] != layout[1])) {
                throw refuse(prefix + "." + layer + ".key and ." + "value differ in kv heads or head dim ("
                        + other[0] + "×" + other[1] + " and " + layout[0] + "×" + layout[1] + ").");
            }
            halves.merge(layer, 1, Integer::sum);
        }
        for (var h : halves.entrySet()) {
            if (h.getValue() != 2) {
                throw refuse("The decoder has only one of " + prefix + "." + h.getKey() + ".key and " + prefix + "."
                        + h.getKey() + ".value; each layer's cache has both.");
            }
        }
        return layers;
    }

    private static int contiguous(TreeMap<Integer, int[]> layers, String prefix) {
        int expected = 0;
        for (int layer : layers.keySet()) {
            if (layer != expected) {
                throw refuse("The decoder has " + prefix + " for layers " + layers.keySet() + ": layer " + expected
                        + " is missing. Layers must be numbered 0..L-1 without gaps.");
            }
            expected++;
        }
        return expected;
    }

    private static void checkType(TensorSpec s, String kind, int type, int rank, String expected) {
        if (s.elementType() != type || s.shape() == null || s.shape().size() != rank) {
            throw refuse("The decoder's " + kind + " '" + s.name() + "' is " + ElementType.describe(s.elementType())
                    + (s.shape() == null ? " without a declared shape" : " " + s.shape()) + "; a generative model's '"
                    + s.name() + "' is " + expected + ".");
        }
    }

    private static ApiException refuse(String message) {
        return ModelValidator.refuse(400, "decoder_signature", message);
    }
}
