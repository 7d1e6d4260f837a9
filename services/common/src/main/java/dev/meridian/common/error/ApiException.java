package dev.meridian.common.error;

import java.util.List;

/** A failure the caller can act on; becomes an RFC 9457 problem with the status and message given here. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<Problem.FieldError> errors;

    public ApiException(int status, String title, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors;
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

    public Problem toProblem() {
        Problem p = Problem.of(status, title, getMessage());
        return errors == null ? p : p.withErrors(errors);
    }

    public int status() {
        return status;
    }
}
