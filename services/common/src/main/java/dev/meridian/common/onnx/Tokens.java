package dev.meridian.common.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One text's token ids, attention mask and token types, not padded, and how a batch of them goes into a BERT-style
 * encoder. Serving (inference) and training (the workers) tokenize, cut and pad with this one class, so a fine-tuned
 * model sees at serving time exactly the inputs it was trained on.
 */
public record Tokens(long[] ids, long[] mask, long[] types) {

    public int length() {
        return ids.length;
    }

    /**
     * A tokenizer's encoding; with {@code truncate}, a sequence longer than {@code maxTokens} is cut to that length
     * and keeps its last token (the closing special token, {@code [SEP]}).
     */
    public static Tokens of(long[] ids, long[] mask, long[] types, int maxTokens, boolean truncate) {
        if (truncate && ids.length > maxTokens) {
            return new Tokens(cut(ids, maxTokens), cut(mask, maxTokens), cut(types, maxTokens));
        }
        return new Tokens(ids, mask, types);
    }

    private static long[] cut(long[] a, int max) {
        long[] out = Arrays.copyOf(a, max);
        out[max - 1] = a[a.length - 1];
        return out;
    }

    /** The encoder inputs of a batch, padded to its longest sequence; closing it frees the tensors. */
    public static final class Padded implements AutoCloseable {
        private final Map<String, OnnxTensor> inputs;

        private Padded(Map<String, OnnxTensor> inputs) {
            this.inputs = inputs;
        }

        /** {@code input_ids}, {@code attention_mask} and, where the model takes it, {@code token_type_ids}. */
        public Map<String, OnnxTensor> inputs() {
            return inputs;
        }

        @Override
        public void close() {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Pads {@code batch} to its longest sequence (zeros: padding, masked out) as {@code [n, longest]} tensors. */
    public static Padded pad(OrtEnvironment env, List<Tokens> batch, boolean withTypeIds) throws OrtException {
        int n = batch.size();
        int len = batch.stream().mapToInt(Tokens::length).max().orElse(0);
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] types = new long[n * len];
        for (int i = 0; i < n; i++) {
            Tokens t = batch.get(i);
            System.arraycopy(t.ids(), 0, ids, i * len, t.length());
            System.arraycopy(t.mask(), 0, mask, i * len, t.length());
            System.arraycopy(t.types(), 0, types, i * len, t.length());
        }
        long[] shape = {n, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        var padded = new Padded(inputs);
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (withTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            return padded;
        } catch (OrtException | RuntimeException e) {
            padded.close();
            throw e;
        }
    }
}
