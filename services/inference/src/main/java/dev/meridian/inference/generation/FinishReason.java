package dev.meridian.inference.generation;

/** Why a sequence ended. */
public enum FinishReason {
    /** An end-of-sequence token or a stop sequence. */
    STOP("stop"),
    /** {@code max_tokens} or the model's context. */
    LENGTH("length"),
    /** The caller went away or the engine closed; nobody reads the answer. */
    CANCELLED(null);

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /** OpenAI's {@code finish_reason}. */
    public String wireName() {
        return wireName;
    }
}
