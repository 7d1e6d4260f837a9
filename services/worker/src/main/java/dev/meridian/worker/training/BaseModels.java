package dev.meridian.worker.training;

import dev.meridian.common.models.BaseModel.Pooling;
import java.util.Map;
import java.util.Optional;

/**
 * The encoder base models a job may tune, as the worker needs them: the ONNX file and tokenizer on the class path
 * (from the same LangChain4j model jars the inference service serves), the pooling and the token limit. Kept in step
 * with the inference service's catalog ({@code dev.meridian.common.models.BaseModel}).
 */
public final class BaseModels {

    public record Spec(String id, Pooling pooling, int maxTokens) {
        public String onnxResource() {
            return id + ".onnx";
        }

        public String tokenizerResource() {
            return id + "-tokenizer.json";
        }
    }

    private static final Map<String, Spec> SPECS = Map.of(
            "all-minilm-l6-v2", new Spec("all-minilm-l6-v2", Pooling.MEAN, 256),
            "all-minilm-l6-v2-q", new Spec("all-minilm-l6-v2-q", Pooling.MEAN, 256),
            "bge-small-en-v1.5", new Spec("bge-small-en-v1.5", Pooling.CLS, 512),
            "bge-small-en-v1.5-q", new Spec("bge-small-en-v1.5-q", Pooling.CLS, 512),
            "bge-small-zh-v1.5-q", new Spec("bge-small-zh-v1.5-q", Pooling.CLS, 512));

    private BaseModels() {
    }

    public static Optional<Spec> find(String id) {
        return Optional.ofNullable(SPECS.get(id));
    }

    static byte[] resource(String name) {
        try (var in = BaseModels.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("model file " + name + " is not on the class path: is its Maven"
                        + " artifact a dependency of the worker?");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
