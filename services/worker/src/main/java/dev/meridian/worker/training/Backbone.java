package dev.meridian.worker.training;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.onnx.Tokens;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** Tokenizes one text as serving does: cut to the model's longest sequence, keeping its last token. */
    public Tokens tokenize(String text) {
        Encoding e = tokenizer.encode(text);
        return Tokens.of(e.getIds(), e.getAttentionMask(), e.getTypeIds(), spec.maxTokens(), true);
    }

    /** The padded inputs of a batch, as the base model (and the exported tuned model) take them. */
    public Tokens.Padded inputs(List<Tokens> batch) throws OrtException {
        return Tokens.pad(env, batch, wantsTypeIds);
    }

    /** Embeds a batch with one ONNX Runtime call that also pools and normalises (as the exported model does). */
    public float[][] embed(List<Tokens> batch) {
        try (Tokens.Padded padded = inputs(batch);
                OrtSession.Result result = pooledSession.run(padded.inputs())) {
            return (float[][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("base model " + spec.id() + " failed: " + e.getMessage(), e);
        }
    }

    /** The base model's own output (token states), for comparisons with {@link #embed}. */
    public float[][][] hidden(List<Tokens> batch) {
        try (Tokens.Padded padded = inputs(batch);
                OrtSession.Result result = session.run(padded.inputs(), java.util.Set.of(hiddenOutput))) {
            return (float[][][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("base model " + spec.id() + " failed: " + e.getMessage(), e);
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
