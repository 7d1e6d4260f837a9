package dev.meridian.common.error;

import java.util.List;
import java.util.OptionalInt;

/**
 * A failure the caller can act on, with the status and message given here. The management APIs answer it as an
 * RFC 9457 problem ({@link #toProblem()}), the OpenAI-compatible APIs with OpenAI's error body
 * ({@link OpenAiError#of(ApiException)}), which names a machine-readable {@link #code()} and the offending
 * {@link #param()}.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final String code;
    private final String param;
    private final List<Problem.FieldError> errors;

    public ApiException(int status, String title, String detail, List<Problem.FieldError> errors) {
        this(status, title, null, null, detail, errors);
    }

    private ApiException(int status, String title, String code, String param, String detail,
            List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.code = code;
        this.param = param;
        this.errors = errors;
    }

    /** A refusal with OpenAI's {@code code} (e.g. {@code model_not_found}) and {@code param} (the field, or null). */
    public static ApiException of(int status, String code, String param, String message) {
        return new ApiException(status, reason(status), code, param, message, null);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "Bad Request", detail, null);
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(400, "Bad Request", "`" + field + "`: " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail, null);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not Found", detail, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail, null);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(503, "Service Unavailable", detail, null);
    }

    /**
     * Seconds a caller should wait before trying again, for {@code Retry-After}: one for a 503 (a dependency that does
     * not answer now, which fault tolerance gives a few seconds to come back), none otherwise.
     */
    public OptionalInt retryAfterSeconds() {
        return status == 503 ? OptionalInt.of(1) : OptionalInt.empty();
    }

    public Problem toProblem() {
        Problem p = Problem.of(status, title, getMessage());
        return errors == null ? p : p.withErrors(errors);
    }

    public int status() {
        return status;
    }

    /** What went wrong, for programs: OpenAI's {@code error.code}; null where the message says it all. */
    public String code() {
        return code;
    }

    /** The request field at fault, as the caller wrote it; null when no one field is. */
    public String param() {
        return param;
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Content Too Large";
            case 421 -> "Misdirected Request";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Bad Request";
        };
    }
}
