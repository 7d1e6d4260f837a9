package dev.meridian.common.error;

/**
 * The error body of the OpenAI-compatible {@code /v1} API: {@code {"error":{"message","type","param","code"}}}, so that
 * OpenAI SDKs surface our messages unchanged.
 */
public record OpenAiError(Body error) {

    public record Body(String message, String type, String param, String code) {
    }

    public static OpenAiError of(String type, String code, String message) {
        return new OpenAiError(new Body(message, type, null, code));
    }

    public static OpenAiError of(String type, String code, String param, String message) {
        return new OpenAiError(new Body(message, type, param, code));
    }
}
