package dev.meridian.inference.generation.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.models.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code /v1/chat/completions} or {@code /v1/completions} request, read and checked: every refusal names the
 * parameter, as OpenAI's do. Parameters that change what OpenAI would generate but that this service does not
 * implement (tools, logprobs, penalties, ...) are refused rather than ignored.
 *
 * @param messages the conversation (chat), else null
 * @param prompts the prompts (completions: one, or a list), else null
 * @param maxTokens empty: the rest of the model's context
 * @param seed empty: a random one
 */
public record CompletionRequest(String model, boolean chat, List<ChatTemplate.Message> messages, List<String> prompts,
        int n, Optional<Integer> maxTokens, double temperature, double topP, int topK, Optional<Long> seed,
        List<String> stop, boolean stream, boolean includeUsage) {

    /** Most stop sequences, as OpenAI allows. */
    static final int MAX_STOPS = 4;

    private static final Set<String> COMMON = Set.of("model", "n", "max_tokens", "temperature", "top_p", "top_k",
            "seed", "stop", "stream", "stream_options", "user", "frequency_penalty", "presence_penalty",
            "logit_bias", "logprobs", "top_logprobs", "metadata", "store", "service_tier");
    private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens", "response_format",
            "parallel_tool_calls", "tools", "tool_choice", "functions", "function_call", "modalities", "audio",
            "prediction", "reasoning_effort", "web_search_options");
    private static final Set<String> TEXT = Set.of("prompt", "echo", "best_of", "suffix");
    private static final Set<String> UNSUPPORTED = Set.of("tools", "tool_choice", "functions", "function_call",
            "audio", "modalities", "prediction", "web_search_options", "suffix");

    /** Reads a request body; {@code maxChoices} bounds {@code n} (times the prompts, for completions). */
    public static CompletionRequest parse(JsonNode body, boolean chat, int maxChoices) {
        if (body == null || !body.isObject()) {
            throw invalid(null, "Send a JSON object with `model` and `" + (chat ? "messages" : "prompt") + "`.");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!COMMON.contains(f) && !(chat ? CHAT : TEXT).contains(f)) {
                throw ApiException.of(400, "unknown_parameter", f, "Unrecognized request argument supplied: " + f
                        + ".");
            }
            if (UNSUPPORTED.contains(f) && !body.get(f).isNull()) {
                throw ApiException.of(400, "unsupported_parameter", f, "`" + f + "` is not supported by Meridian's"
                        + " generative models; leave it out.");
            }
        }
        String model = body.hasNonNull("model") && body.get("model").isTextual() ? body.get("model").asText() : null;
        if (model == null || model.isBlank()) {
            throw ApiException.of(400, "missing_parameter", "model", "You must provide a model parameter.");
        }
        List<ChatTemplate.Message> messages = chat ? messages(body.get("messages")) : null;
        List<String> prompts = chat ? null : prompts(body.get("prompt"));
        int n = integer(body, "n", 1);
        if (n < 1 || n * (prompts == null ? 1 : prompts.size()) > maxChoices) {
            throw invalid("n", "n must be between 1 and " + maxChoices + (prompts != null && prompts.size() > 1
                    ? " divided by the number of prompts (" + prompts.size() + ")" : "") + ", got " + n + ".");
        }
        String maxField = chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Optional<Integer> maxTokens = body.hasNonNull(maxField) ? Optional.of(integer(body, maxField, 0))
                : Optional.empty();
        if (maxTokens.isPresent() && maxTokens.get() < 1) {
            throw invalid(maxField, maxField + " must be at least 1, got " + maxTokens.get() + ".");
        }
        double temperature = number(body, "temperature", 1);
        if (!(temperature >= 0 && temperature <= 2)) {
            throw invalid("temperature", "temperature must be between 0 and 2, got " + temperature + ".");
        }
        double topP = number(body, "top_p", 1);
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("top_p", "top_p must be greater than 0 and at most 1, got " + topP + ".");
        }
        int topK = integer(body, "top_k", 0);
        if (topK < 0) {
            throw invalid("top_k", "top_k must be 0 (all tokens) or more, got " + topK + ".");
        }
        Optional<Long> seed = Optional.empty();
        if (body.hasNonNull("seed")) {
            if (!body.get("seed").canConvertToLong() || !body.get("seed").isIntegralNumber()) {
                throw invalid("seed", "seed must be an integer.");
            }
            seed = Optional.of(body.get("seed").asLong());
        }
        List<String> stop = stops(body.get("stop"));
        for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
            if (number(body, penalty, 0) != 0) {
                throw ApiException.of(400, "unsupported_parameter", penalty, penalty + " is not supported; leave it"
                        + " out or send 0.");
            }
        }
        if (body.hasNonNull("logit_bias") && !body.get("logit_bias").isEmpty()) {
            throw ApiException.of(400, "unsupported_parameter", "logit_bias", "logit_bias is not supported.");
        }
        JsonNode logprobs = body.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.asBoolean())
                || body.hasNonNull("top_logprobs")) {
            throw ApiException.of(400, "unsupported_parameter", "logprobs", "logprobs are not supported; leave"
                    + " them out.");
        }
        if (!chat) {
            if (body.path("echo").asBoolean(false)) {
                throw ApiException.of(400, "unsupported_parameter", "echo", "echo is not supported.");
            }
            if (body.hasNonNull("best_of") && body.get("best_of").asInt() != n) {
                throw ApiException.of(400, "unsupported_parameter", "best_of", "best_of is not supported; leave it"
                        + " out.");
            }
        } else if (body.hasNonNull("response_format")
                && !"text".equals(body.get("response_format").path("type").asText())) {
            throw ApiException.of(400, "unsupported_parameter", "response_format", "Only response_format"
                    + " {\"type\":\"text\"} is supported.");
        }
        boolean stream = body.path("stream").asBoolean(false);
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull() && !stream) {
            throw invalid("stream_options", "stream_options is only allowed with stream: true.");
        }
        boolean includeUsage = options != null && options.path("include_usage").asBoolean(false);
        return new CompletionRequest(model, chat, messages, prompts, n, maxTokens, temperature, topP, topK, seed,
                stop, stream, includeUsage);
    }

    private static List<ChatTemplate.Message> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw invalid("messages", "messages must be a non-empty array of {role, content}.");
        }
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String role = m.path("role").asText("");
            if (!Set.of("system", "developer", "user", "assistant").contains(role)) {
                throw invalid("messages[" + i + "].role", "messages[" + i + "].role must be system, developer,"
                        + " user or assistant" + (role.equals("tool") ? " (tools are not supported)" : "")
                        + ", got '" + role + "'.");
            }
            messages.add(new ChatTemplate.Message(role.equals("developer") ? "system" : role,
                    content(m.get("content"), "messages[" + i + "].content")));
        }
        return messages;
    }

    /** A message's text: a string, or text parts (OpenAI's content array) joined. */
    private static String content(JsonNode content, String param) {
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        if (content != null && content.isArray()) {
            var text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw invalid(param, param + ": only text parts ({\"type\":\"text\",\"text\":...}) are"
                            + " supported.");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw invalid(param, param + " must be a string or an array of text parts.");
    }

    private static List<String> prompts(JsonNode node) {
        if (node != null && node.isTextual()) {
            return List.of(node.asText());
        }
        if (node != null && node.isArray() && !node.isEmpty()) {
            List<String> prompts = new ArrayList<>();
            for (JsonNode p : node) {
                if (!p.isTextual()) {
                    throw invalid("prompt", "prompt must be a string or an array of strings (token ids are not"
                            + " supported).");
                }
                prompts.add(p.asText());
            }
            return prompts;
        }
        throw invalid("prompt", "prompt must be a string or a non-empty array of strings.");
    }

    private static List<String> stops(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (node.isTextual()) {
            stops.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode s : node) {
                if (!s.isTextual()) {
                    throw invalid("stop", "stop must be a string or an array of strings.");
                }
                stops.add(s.asText());
            }
        } else {
            throw invalid("stop", "stop must be a string or an array of strings.");
        }
        if (stops.size() > MAX_STOPS) {
            throw invalid("stop", "At most " + MAX_STOPS + " stop sequences are allowed, got " + stops.size() + ".");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw invalid("stop", "Stop sequences must not be empty.");
        }
        return List.copyOf(stops);
    }

    private static int integer(JsonNode body, String field, int fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw invalid(field, field + " must be an integer.");
        }
        return v.asInt();
    }

    private static double number(JsonNode body, String field, double fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw invalid(field, field + " must be a number.");
        }
        return v.asDouble();
    }

    static ApiException invalid(String param, String message) {
        return ApiException.of(400, "invalid_value", param, message);
    }
}
