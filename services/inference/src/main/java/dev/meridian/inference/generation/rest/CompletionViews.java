package dev.meridian.inference.generation.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** OpenAI's shapes of chat and text completions and of their streamed chunks (written in snake_case). */
final class CompletionViews {

    private CompletionViews() {
    }

    record Usage(long promptTokens, long completionTokens, long totalTokens) {
        static Usage of(long prompt, long completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    record Message(String role, String content, Object refusal) {
    }

    record ChatChoice(int index, Message message, String finishReason, Object logprobs) {
    }

    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
            Usage usage) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {
    }

    record ChunkChoice(int index, Delta delta, String finishReason, Object logprobs) {
    }

    record ChatChunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage) {
    }

    record TextChoice(String text, int index, Object logprobs, String finishReason) {
    }

    /** A text completion, and a streamed chunk of one (same shape, {@code usage} null but in the last). */
    record TextCompletion(String id, String object, long created, String model, List<TextChoice> choices,
            Usage usage) {
    }
}
