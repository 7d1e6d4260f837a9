package dev.meridian.common.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of a management API (tenancy's, billing's) as {@code application/problem+json} (RFC 9457), with a
 * message that says what was wrong and how to fix it. Unexpected failures get a generic message and an id to find the
 * logged cause; never a stack trace. A service takes these mappers by indexing this library
 * ({@code quarkus.index-dependency.meridian-common.*} in its application.properties); the OpenAI-style APIs of
 * models and inference do not, and answer errors their own way.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Billing's public API, which the gateways also serve to API keys. */
    private static final String BILLING_API = "/api/v1/billing";

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Problem problem = e.toProblem();
        var response = Response.status(problem.status()).type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri.getPath()));
        e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, UriInfo uri) {
        return respond(Problems.malformedJson(e), uri);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        return respond(Problems.unknownField(e), uri);
    }

    /** Quarkus REST has its own mapper for this subtype; this one answers in the API's problem format instead. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return respond(Problems.wrongValue(e), uri);
    }

    @ServerExceptionMapper
    public Response wrongValue(JsonMappingException e, UriInfo uri) {
        return respond(Problems.wrongValue(e), uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return respond(Problems.unreadableJson(e), uri);
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        return respond(Problems.invalid(e.getConstraintViolations()), uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        String programs = uri.getPath().startsWith(BILLING_API) ? " Programs call this API through a regional gateway"
                + " with an API key that has the billing:read scope." : "";
        return respond(Problem.of(401, "Unauthorized", "Sign in: send a Keycloak access token of the meridian realm"
                + " as 'Authorization: Bearer <token>'." + programs), uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(new UnauthorizedException(), uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        String needed = uri.getPath().startsWith("/internal/")
                ? "This API is for Meridian's services: only the service accounts that call it may, each with"
                        + " its own realm role (service-gateway for gateways' calls, for example)."
                : "Your token does not carry the realm role this operation needs (operators' routes need"
                        + " platform-admin).";
        return respond(Problem.of(403, "Forbidden", needed), uri);
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
            return respond(Problems.unreadableJson(json), uri);
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
}
