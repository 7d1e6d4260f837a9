package dev.meridian.inference.runtime;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.BaseModel;
import dev.meridian.common.onnx.EmbeddingPooling;
import dev.meridian.common.onnx.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One embedding model in process: its tokenizer and its ONNX Runtime session. {@link #tokenize} turns texts into
 * token ids; {@link #embed} runs a padded batch and pools each sequence into an L2-normalised vector.
 * Thread-safe for concurrent {@code embed} calls (ONNX Runtime sessions are), though the batcher makes one at a time.
 */
public final class TextEmbedder implements AutoCloseable {

    private final BaseModel model;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean wantsTypeIds;

    public TextEmbedder(BaseModel model, OrtEnvironment env, OrtSession.SessionOptions options) {
        this.model = model;
        this.env = env;
        try (InputStream tok = resource(model.tokenizerResource()); InputStream onnx = resource(model.onnxResource())) {
            Map<String, String> opts = new HashMap<>();
            opts.put("truncation", "false");
            opts.put("padding", "false");
            opts.put("addSpecialTokens", "true");
            this.tokenizer = HuggingFaceTokenizer.newInstance(tok, opts);
            this.session = env.createSession(onnx.readAllBytes(), options);
            this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + model.id(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load model " + model.id() + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name);
        if (in == null) {
            in = TextEmbedder.class.getClassLoader().getResourceAsStream(name);
        }
        if (in == null) {
            throw new IllegalStateException("model file " + name + " is not on the class path: is its Maven"
                    + " artifact a dependency?");
        }
        return in;
    }

    public BaseModel model() {
        return model;
    }

    /** Tokenizes one text; when {@code maxTokens} is exceeded the sequence is cut and its last token kept. */
    public Tokens tokenize(String text, boolean truncate) {
        Encoding e = tokenizer.encode(text);
        return Tokens.of(e.getIds(), e.getAttentionMask(), e.getTypeIds(), model.maxTokens(), truncate);
    }

    /** Embeds a batch: pads to the longest sequence, runs the model once, pools and normalises each row. */
    public float[][] embed(List<Tokens> batch) {
        int n = batch.size();
        try (Tokens.Padded padded = Tokens.pad(env, batch, wantsTypeIds)) {
            try (OrtSession.Result result = session.run(padded.inputs())) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                float[][] out = new float[n][];
                for (int i = 0; i < n; i++) {
                    out[i] = EmbeddingPooling.embed(model.pooling(), hidden[i], batch.get(i).mask());
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("model " + model.id() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        tokenizer.close();
    }
}
