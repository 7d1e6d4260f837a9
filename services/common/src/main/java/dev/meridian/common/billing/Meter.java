package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What billing meters, with the unit each quantity is counted in. Wire names are the ones in prices and invoices. */
public enum Meter {
    /** Calls served (one per request that reached a model or a management API). */
    REQUESTS("requests", "request"),
    /** Tokens of input as counted by the model's own tokenizer. */
    INPUT_TOKENS("input_tokens", "token"),
    /** Texts embedded (one per input item of {@code /v1/embeddings}). */
    EMBEDDED_ITEMS("embedded_items", "item"),
    /** Texts classified (one per input item of {@code /v1/classifications}). */
    CLASSIFICATION_ITEMS("classification_items", "item"),
    /** Training examples times epochs run by a fine-tune job. */
    TRAINING_EXAMPLE_EPOCHS("training_example_epochs", "example-epoch"),
    /** Wall seconds a training job held an accelerator (or CPU worker), rounded up to whole seconds. */
    ACCELERATOR_SECONDS("accelerator_seconds", "second"),
    /** Bytes of tenant model artifacts stored, measured once a day (byte-days). */
    STORED_MODEL_BYTES("stored_model_bytes", "byte-day"),
    /**
     * Milliseconds a tenant's own model (an uploaded model or a fine-tuned classifier) ran in ONNX Runtime for a call,
     * rounded up; a batched call's time is shared among its rows.
     */
    MODEL_RUN_MILLISECONDS("model_run_milliseconds", "millisecond"),
    /** Prompt tokens a generative model read for a chat or text completion, counted by the model's own tokenizer. */
    PROMPT_TOKENS("prompt_tokens", "token"),
    /** Tokens a generative model produced for a chat or text completion (every choice of {@code n} counted). */
    COMPLETION_TOKENS("completion_tokens", "token");

    private final String wireName;
    private final String unit;

    Meter(String wireName, String unit) {
        this.wireName = wireName;
        this.unit = unit;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public String unit() {
        return unit;
    }

    public static Optional<Meter> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    @JsonCreator
    static Meter parse(String name) {
        return fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown meter '" + name + "'; use one of " + String.join(", ",
                        Arrays.stream(values()).map(Meter::wireName).toList())));
    }
}
