package dev.meridian.models.registry.validation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The child-JVM side of a generative model's trial: drives the decoder as inference will. It prefills a short prompt
 * with a zero-length past, then decodes a few tokens greedily, each step feeding {@code present.N.*} back as
 * {@code past_key_values.N.*}, and checks every step: logits [1, new tokens, vocabulary] of finite values, each
 * {@code present} tensor [1, kv heads, past + new tokens, head dim]. Exit 0 and the generated ids on stdout when the
 * loop worked; exit 2 and the reason on stderr when it did not. Like {@link TrialRun} it depends on nothing but the
 * JDK and ONNX Runtime, and has no nested classes, so the parent starts it on a two-entry class path.
 * <p>
 * Arguments: model path, vocabulary size, layers, kv heads, head dim, whether {@code position_ids} is an input
 * ({@code true}/{@code false}), prompt length, decode steps.
 */
public final class TrialGeneration {

    private TrialGeneration() {
    }

    public static void main(String[] args) {
        try {
            String ids = generate(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4]), Boolean.parseBoolean(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]));
            System.out.println("generated: " + ids);
            System.exit(0);
        } catch (Throwable e) {
            System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
            System.exit(2);
        }
    }

    private static String generate(String model, int vocab, int layers, int kvHeads, int headDim,
            boolean positionIds, int promptLength, int steps) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                long[] prompt = new long[promptLength];
                for (int i = 0; i < promptLength; i++) {
                    prompt[i] = (i + 1) % vocab;
                }
                List<Long> generated = new ArrayList<>();
                // the past of step 0: zero-length KV tensors, as a prompt's first run has
                Map<String, OnnxTensor> past = new HashMap<>();
                OrtSession.Result previous = null;
                try {
                    for (int layer = 0; layer < layers; layer++) {
                        for (String kv : new String[] {"key", "value"}) {
                            past.put("past_key_values." + layer + "." + kv, OnnxTensor.createTensor(env,
                                    FloatBuffer.allocate(0), new long[] {1, kvHeads, 0, headDim}));
                        }
                    }
                    long[] tokens = prompt;
                    int pastLength = 0;
                    for (int step = 0; step <= steps; step++) {
                        String what = step == 0 ? "the prefill of " + promptLength + " tokens"
                                : "decode step " + step;
                        Map<String, OnnxTensor> feed = new HashMap<>(past);
                        List<OnnxTensor> made = new ArrayList<>();
                        try {
                            long[] mask = new long[pastLength + tokens.length];
                            Arrays.fill(mask, 1);
                            long[] positions = new long[tokens.length];
                            for (int i = 0; i < tokens.length; i++) {
                                positions[i] = pastLength + i;
                            }
                            made.add(longs(env, feed, "input_ids", tokens));
                            made.add(longs(env, feed, "attention_mask", mask));
                            if (positionIds) {
                                made.add(longs(env, feed, "position_ids", positions));
                            }
                            OrtSession.Result result = session.run(feed);
                            if (previous != null) {
                                previous.close();
                            } else {
                                past.values().forEach(OnnxTensor::close);
                            }
                            previous = result;
                            long next = check(result, what, vocab, layers, kvHeads, headDim,
                                    pastLength + tokens.length, tokens.length);
                            past.clear();
                            for (int layer = 0; layer < layers; layer++) {
                                for (String kv : new String[] {"key", "value"}) {
                                    past.put("past_key_values." + layer + "." + kv,
                                            (OnnxTensor) result.get("present." + layer + "." + kv).orElseThrow());
                                }
                            }
                            generated.add(next);
                            pastLength += tokens.length;
                            tokens = new long[] {next};
                        } finally {
                            made.forEach(OnnxTensor::close);
                        }
                    }
                } finally {
                    if (previous != null) {
                        previous.close();
                    } else {
                        past.values().forEach(OnnxTensor::close);
                    }
                }
                return generated.toString();
            }
        }
    }

    private static OnnxTensor longs(OrtEnvironment env, Map<String, OnnxTensor> feed, String name, long[] values)
            throws Exception {
        OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(values), new long[] {1, values.length});
        feed.put(name, t);
        return t;
    }

    /** Checks one step's outputs; answers the greedy choice of its last position. */
    private static long check(OrtSession.Result result, String what, int vocab, int layers, int kvHeads, int headDim,
            int total, int newTokens) throws Exception {
        OnnxValue logitsValue = result.get("logits").orElseThrow(() -> new IllegalStateException(what
                + " gave no 'logits'"));
        if (!(logitsValue instanceof OnnxTensor logits) || !(logits.getInfo() instanceof TensorInfo info)) {
            throw new IllegalStateException(what + ": 'logits' is not a tensor");
        }
        long[] shape = info.getShape();
        if (shape.length != 3 || shape[0] != 1 || shape[1] != newTokens || shape[2] != vocab) {
            throw new IllegalStateException(what + ": 'logits' has shape " + Arrays.toString(shape) + ", expected [1, "
                    + newTokens + ", " + vocab + "] (batch, new tokens, vocabulary)");
        }
        FloatBuffer values = logits.getFloatBuffer();
        int last = (newTokens - 1) * vocab;
        long best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < values.limit(); i++) {
            float v = values.get(i);
            if (!Float.isFinite(v)) {
                throw new IllegalStateException(what + ": 'logits' holds " + v + " at position " + i / vocab
                        + ", token " + i % vocab + "; a decoder must give finite logits");
            }
            if (i >= last && v > bestValue) {
                bestValue = v;
                best = i - last;
            }
        }
        for (int layer = 0; layer < layers; layer++) {
            for (String kv : new String[] {"key", "value"}) {
                String name = "present." + layer + "." + kv;
                OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException(what + " gave no '"
                        + name + "'"));
                long[] s = ((TensorInfo) value.getInfo()).getShape();
                if (s.length != 4 || s[0] != 1 || s[1] != kvHeads || s[2] != total || s[3] != headDim) {
                    throw new IllegalStateException(what + ": '" + name + "' has shape " + Arrays.toString(s)
                            + ", expected [1, " + kvHeads + ", " + total + ", " + headDim + "]: present must be the"
                            + " past with the " + newTokens + " new token(s) appended");
                }
            }
        }
        return best;
    }
}
