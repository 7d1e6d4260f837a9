package dev.meridian.billing.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
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
 * Every error of the billing API as {@code application/problem+json} (RFC 9457), saying what was wrong and how to fix
 * it. Unexpected failures get a generic message and an id to find the logged cause; never a stack trace.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        return respond(e.toProblem(), uri);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        String field = path(e);
        String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString)
                .sorted().collect(Collectors.joining(", "));
        return respond(Problem.of(400, "Unknown field", "Unknown field `" + field + "`; the fields this request takes"
                + " are: " + known + ".").withErrors(List.of(new Problem.FieldError(field, "unknown field"))), uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        if (e instanceof UnrecognizedPropertyException u) {
            return unknownField(u, uri);
        }
        String field = e instanceof JsonMappingException m ? path(m) : "";
        String why = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage().split("\n")[0]
                .replaceAll(" \\(class [^)]*\\)", "").replaceAll("\\[Source: [^]]*]", "");
        if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            why = iae.getMessage();
        }
        String detail = field.isEmpty() ? "The request body could not be read: " + why + ". Send one JSON object."
                : "`" + field + "`: " + why + ".";
        return respond(Problem.of(400, "Invalid request body", detail), uri);
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v.getPropertyPath().toString()), v.getMessage()))
                .distinct().sorted(Comparator.comparing(Problem.FieldError::field)).toList();
        String detail = errors.stream().map(f -> "`" + f.field() + "` " + f.message())
                .collect(Collectors.joining("; "));
        return respond(Problem.of(400, "Invalid request", detail + ".").withErrors(errors), uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return respond(Problem.of(401, "Unauthorized", "Sign in: send a Keycloak access token of the meridian realm"
                + " as 'Authorization: Bearer <token>', or call through a gateway with an API key."), uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(new UnauthorizedException(), uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        String needed = uri.getPath().startsWith("/internal/")
                ? "This API is for Meridian's services: use a client-credentials token of a client with the realm"
                        + " role meridian-service."
                : "Your token does not carry the realm role this operation needs (platform-admin).";
        return respond(Problem.of(403, "Forbidden", needed), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException j) {
            return json(j, uri);
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
            default -> e.getMessage() == null ? reason : e.getMessage();
        };
        return respond(Problem.of(status, reason, detail), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException j) {
            return json(j, uri);
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure %s on %s", id, uri.getPath());
        return respond(Problem.of(500, "Internal Server Error", "Something went wrong on our side (error id " + id
                + "). Retry later; if it persists, contact support with the error id."), uri);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** {@code method.arg.fieldName} as the caller wrote it: {@code field_name}. */
    private static String field(String propertyPath) {
        String[] nodes = propertyPath.split("\\.");
        String last = nodes[nodes.length - 1];
        return last.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Response respond(Problem problem, UriInfo uri) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem.withInstance(uri.getPath()))
                .build();
    }
}
