package dev.meridian.tenancy.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.meridian.common.error.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the management API as {@code application/problem+json} (RFC 9457), with a message that says what
 * was wrong and how to fix it. Unexpected failures get a generic message and an id to find the logged cause.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        return respond(e.toProblem(), uri);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, UriInfo uri) {
        var location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return respond(Problem.of(400, "Malformed JSON", "The request body is not valid JSON" + where + ": "
                + e.getOriginalMessage() + ". Send a JSON object."), uri);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                .map(Object::toString).sorted().collect(Collectors.joining(", "));
        String field = e.getPropertyName();
        return respond(Problem.of(400, "Unknown field", "Unknown field `" + field + "`; the fields this request takes"
                        + " are: " + known + ".")
                .withErrors(List.of(new Problem.FieldError(field, "unknown field"))), uri);
    }

    @ServerExceptionMapper
    public Response wrongType(InvalidFormatException e, UriInfo uri) {
        String field = path(e);
        return respond(Problem.of(400, "Invalid field", "`" + field + "` cannot be " + e.getValue() + ": expected "
                        + e.getTargetType().getSimpleName() + ".")
                .withErrors(List.of(new Problem.FieldError(field, "expected " + e.getTargetType().getSimpleName()))),
                uri);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e, UriInfo uri) {
        String field = path(e);
        String why = e.getOriginalMessage();
        if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            why = iae.getMessage();
        }
        return respond(Problem.of(400, "Invalid field", (field.isEmpty() ? "" : "`" + field + "`: ") + why)
                .withErrors(field.isEmpty() ? null : List.of(new Problem.FieldError(field, why))), uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return respond(Problem.of(400, "Malformed JSON", "The request body could not be read: "
                + e.getOriginalMessage()), uri);
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> "`" + f.field() + "` " + f.message()).collect(Collectors.joining("; "));
        return respond(Problem.of(400, "Invalid request", detail + ".").withErrors(errors), uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return respond(Problem.of(401, "Unauthorized", "Sign in: send a Keycloak access token of the meridian realm"
                + " as 'Authorization: Bearer <token>'."), uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(new UnauthorizedException(), uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(Problem.of(403, "Forbidden", "Your token does not carry the role this operation needs."), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unexpected(json, uri);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri);
        }
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "No such resource: " + uri.getPath() + ".";
            case 405 -> "This method is not allowed on " + uri.getPath() + ".";
            case 415 -> "Send the body as application/json.";
            case 406 -> "This API answers application/json.";
            default -> e.getMessage() == null ? reason : e.getMessage();
        };
        return respond(Problem.of(status, reason, detail), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        Throwable cause = e instanceof JsonProcessingException ? e : e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return json instanceof JsonParseException p ? malformedJson(p, uri)
                    : json instanceof UnrecognizedPropertyException u ? unknownField(u, uri)
                    : json instanceof JsonMappingException m ? mapping(m, uri) : json(json, uri);
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure %s on %s", id, uri.getPath());
        return respond(Problem.of(500, "Internal Server Error", "Something went wrong on our side (error id " + id
                + "). Retry later; if it persists, contact support with the error id."), uri);
    }

    private static Response respond(Problem problem, UriInfo uri) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri.getPath()))
                .build();
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    /** "create.request.homeRegion" (method, parameter, property) → "home_region". */
    private static String field(String propertyPath) {
        String last = propertyPath.substring(propertyPath.lastIndexOf('.') + 1);
        return last.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
