package dev.meridian.worker.training;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen base model in ONNX Runtime: tokenizes texts (cut at the model's token limit), runs padded batches and
 * pools each sequence into an L2-normalised vector, exactly as the inference service embeds. The tuned model's
 * exported graph repeats this pooling, so the head sees the same vectors in training and in serving.
 */
public final class Backbone implements AutoCloseable {

    private final BaseModels.Spec spec;
    private final byte[] onnx;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment env;
    private final OrtSession session;
    /** The base model with pooling and normalisation appended: one vector per text comes out of ONNX Runtime. */
    private final OrtSession pooledSession;
    private final boolean wantsTypeIds;
    private final String hiddenOutput;

    public Backbone(BaseModels.Spec spec, OrtEnvironment env, OrtSession.SessionOptions options) {
        this.spec = spec;
        this.env = env;
        this.onnx = BaseModels.resource(spec.onnxResource());
        try {
            Map<String, String> opts = new HashMap<>();
            opts.put("truncation", "false");
            opts.put("padding", "false");
            opts.put("addSpecialTokens", "true");
            this.tokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(BaseModels.resource(spec.tokenizerResource())), opts);
            this.session = env.createSession(onnx, options);
            this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
            this.hiddenOutput = session.getOutputNames().iterator().next();
            int dims = (int) ((ai.onnxruntime.TensorInfo) session.getOutputInfo().get(hiddenOutput).getInfo())
                    .getShape()[2];
            this.pooledSession = env.createSession(dev.meridian.worker.export.OnnxExporter.pooled(onnx, hiddenOutput,
                    spec.pooling(), dims), options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer of " + spec.id(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    public BaseModels.Spec spec() {
        return spec;
    }

    /** The base model's ONNX bytes, for the export. */
    public byte[] onnx() {
        return onnx;
    }

    /** The name of the graph output that holds the token states (pooled by the export). */
    public String hiddenOutput() {
        return hiddenOutput;
    }

    public record Tokens(long[] ids, long[] mask, long[] types) {
    }

    public Tokens tokenize(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        long[] mask = e.getAttentionMask();
        long[] types = e.getTypeIds();
        int max = spec.maxTokens();
        if (ids.length > max) {
            ids = cut(ids, max);
            mask = cut(mask, max);
            types = cut(types, max);
        }
        return new Tokens(ids, mask, types);
    }

    private static long[] cut(long[] a, int max) {
        long[] out = Arrays.copyOf(a, max);
        out[max - 1] = a[a.length - 1]; // keep the closing special token
        return out;
    }

    /** The padded inputs of a batch, as the base model (and the exported tuned model) take them. */
    public Map<String, OnnxTensor> inputs(List<Tokens> batch) throws OrtException {
        int n = batch.size();
        int len = batch.stream().mapToInt(t -> t.ids().length).max().orElse(0);
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] types = new long[n * len];
        for (int i = 0; i < n; i++) {
            Tokens t = batch.get(i);
            System.arraycopy(t.ids(), 0, ids, i * len, t.ids().length);
            System.arraycopy(t.mask(), 0, mask, i * len, t.mask().length);
            System.arraycopy(t.types(), 0, types, i * len, t.types().length);
        }
        long[] shape = {n, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
        inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
        if (wantsTypeIds) {
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
        }
        return inputs;
    }

    /** Embeds a batch with one ONNX Runtime call that also pools and normalises (as the exported model does). */
    public float[][] embed(List<Tokens> batch) {
        Map<String, OnnxTensor> inputs = null;
        try {
            inputs = inputs(batch);
            try (OrtSession.Result result = pooledSession.run(inputs)) {
                return (float[][]) result.get(0).getValue();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("base model " + spec.id() + " failed: " + e.getMessage(), e);
        } finally {
            if (inputs != null) {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** The base model's own output (token states), for comparisons with {@link #embed}. */
    public float[][][] hidden(List<Tokens> batch) {
        Map<String, OnnxTensor> inputs = null;
        try {
            inputs = inputs(batch);
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(hiddenOutput))) {
                return (float[][][]) result.get(0).getValue();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("base model " + spec.id() + " failed: " + e.getMessage(), e);
        } finally {
            if (inputs != null) {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
            pooledSession.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        tokenizer.close();
    }
}
