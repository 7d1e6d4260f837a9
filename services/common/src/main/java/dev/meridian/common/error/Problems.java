package dev.meridian.common.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns what went wrong with a request into a problem body that tells the caller what to fix. Pure functions, so
 * the wording can be tested without a server; {@link ProblemMappers} plugs them into JAX-RS.
 */
public final class Problems {

    private Problems() {
    }

    /** The body is not JSON: say where it broke. */
    public static Problem malformedJson(JsonParseException e) {
        var location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return Problem.of(400, "Malformed JSON", "The request body is not valid JSON" + where + ": "
                + readable(e.getOriginalMessage()) + ". Send one JSON object.");
    }

    /** A field this request does not take: name it and the ones it does take. */
    public static Problem unknownField(UnrecognizedPropertyException e) {
        String field = pathOf(e);
        String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                .map(Object::toString).sorted().collect(Collectors.joining(", "));
        return Problem.of(400, "Unknown field", "Unknown field `" + field + "`; the fields this request takes are: "
                        + known + ".")
                .withErrors(List.of(new Problem.FieldError(field, "unknown field; allowed: " + known)));
    }

    /** A field of the wrong JSON type, or a value that cannot be read as what the field holds. */
    public static Problem wrongValue(JsonMappingException e) {
        if (e.getCause() instanceof JsonParseException broken) {
            return malformedJson(broken); // the text broke off while a field was being read
        }
        String field = pathOf(e);
        String expected = expectation(e);
        String message;
        if (e instanceof InvalidFormatException f) {
            message = "cannot be " + quoted(f.getValue()) + ": expected " + expected;
        } else if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            message = iae.getMessage();
        } else if (e instanceof MismatchedInputException) {
            message = "expected " + expected;
        } else {
            message = readable(e.getOriginalMessage());
        }
        if (field.isEmpty()) {
            return Problem.of(400, "Invalid request body", "The request body must be a JSON object: " + message + ".");
        }
        return Problem.of(400, "Invalid field", "`" + field + "` " + message + ".")
                .withErrors(List.of(new Problem.FieldError(field, message)));
    }

    /** Any other JSON failure. */
    public static Problem unreadableJson(JsonProcessingException e) {
        return switch (e) {
            case JsonParseException p -> malformedJson(p);
            case UnrecognizedPropertyException u -> unknownField(u);
            case JsonMappingException m -> wrongValue(m);
            default -> Problem.of(400, "Malformed JSON", "The request body could not be read: "
                    + e.getOriginalMessage() + ".");
        };
    }

    /** Bean-validation failures: one entry per field, in field order. */
    public static Problem invalid(Collection<? extends ConstraintViolation<?>> violations) {
        List<Problem.FieldError> errors = violations.stream()
                .map(v -> {
                    String field = fieldOf(v.getPropertyPath().toString());
                    String message = field.equals("body") ? "send a JSON object as the request body" : v.getMessage();
                    return new Problem.FieldError(field, message);
                })
                .distinct()
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> "`" + f.field() + "` " + f.message())
                .collect(Collectors.joining("; "));
        return Problem.of(400, "Invalid request", detail + ".").withErrors(errors);
    }

    /**
     * A constraint-violation path as the caller wrote it: {@code create.request.homeRegion} (method, parameter,
     * property) becomes {@code home_region}, {@code lastUsed.report.used[0].keyId} becomes {@code used[0].key_id},
     * and a violation of the body itself ({@code create.request}) becomes {@code body}.
     */
    static String fieldOf(String propertyPath) {
        String[] nodes = propertyPath.split("\\.");
        if (nodes.length <= 2) {
            return "body";
        }
        return Arrays.stream(nodes).skip(2).map(Problems::snakeCase).collect(Collectors.joining("."));
    }

    static String snakeCase(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String pathOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String expectation(JsonMappingException e) {
        Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (type == null) {
            return "another value";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 time such as 2030-01-31T12:00:00Z";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (type.isRecord()) {
            return "a JSON object";
        }
        return "a " + type.getSimpleName();
    }

    /** Jackson's message without its note about the (redacted) source. */
    private static String readable(String message) {
        return message == null ? "" : message.replaceAll("\\[Source: [^;]*; (line: \\d+, column: \\d+)]", "$1");
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
