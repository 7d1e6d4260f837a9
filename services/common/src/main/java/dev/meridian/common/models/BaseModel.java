package dev.meridian.common.models;

import java.util.List;
import java.util.Set;

/**
 * A base embedding model Meridian ships: the ONNX file and tokenizer.json that a Maven Central jar carries at its
 * root ({@code <id>.onnx}, {@code <id>-tokenizer.json}), and how to turn its hidden states into one vector.
 */
public record BaseModel(String id, int dimensions, Pooling pooling, int maxTokens, List<String> languages,
        Set<String> regions, boolean quantized) {

    public enum Pooling { MEAN, CLS }

    public String onnxResource() {
        return id + ".onnx";
    }

    public String tokenizerResource() {
        return id + "-tokenizer.json";
    }

    private static final Set<String> ALL_REGIONS = Set.of("eu-central", "us-east", "cn-north");

    public static final List<BaseModel> CATALOG = List.of(
            new BaseModel("all-minilm-l6-v2", 384, Pooling.MEAN, 256, List.of("en"), ALL_REGIONS, false),
            new BaseModel("all-minilm-l6-v2-q", 384, Pooling.MEAN, 256, List.of("en"), ALL_REGIONS, true),
            new BaseModel("bge-small-en-v1.5", 384, Pooling.CLS, 512, List.of("en"), ALL_REGIONS, false),
            new BaseModel("bge-small-en-v1.5-q", 384, Pooling.CLS, 512, List.of("en"), ALL_REGIONS, true),
            new BaseModel("bge-small-zh-v1.5-q", 512, Pooling.CLS, 512, List.of("zh"), ALL_REGIONS, true));
}
