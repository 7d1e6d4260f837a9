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

    /** A refusal as OpenAI types it: {@code server_error} for 5xx, {@code permission_error} for 403. */
    public static OpenAiError of(ApiException e) {
        return of(typeOf(e.status()), e.code(), e.param(), e.getMessage());
    }

    public static String typeOf(int status) {
        return status >= 500 ? "server_error" : status == 403 ? "permission_error" : "invalid_request_error";
    }
}
