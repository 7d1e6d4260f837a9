package dev.meridian.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.inference.runtime.RunRefused;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** OpenAI's error body on /v1, the Open Inference Protocol's {@code {"error": "..."}} on /v2; never a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response refused(ApiException e, UriInfo uri) {
        var response = respond(e, uri);
        e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }

    /** A serving limit: the status it names, {@code Retry-After} where waiting helps, each family's error body. */
    @ServerExceptionMapper
    public Response refused(RunRefused e, UriInfo uri) {
        var response = respond(ApiException.of(e.status(), e.code(), null, e.getMessage()), uri);
        e.retryAfter().ifPresent(d -> response.header("Retry-After", Math.max(1, d.toSeconds())));
        return response.build();
    }

    @ServerExceptionMapper
    public Response other(Throwable e, UriInfo uri) {
        Throwable json = e instanceof JsonProcessingException ? e : e.getCause();
        int status;
        String message;
        if (json instanceof JsonProcessingException j) {
            status = 400;
            message = "The request body is not valid JSON for this route: " + j.getOriginalMessage();
        } else if (e instanceof WebApplicationException w && w.getResponse().getStatus() < 500) {
            status = w.getResponse().getStatus();
            message = status == 404 ? "Unknown route " + uri.getPath() : w.getMessage();
        } else {
            String id = UUID.randomUUID().toString();
            LOG.errorf(e, "unexpected failure %s on %s", id, uri.getPath());
            status = 500;
            message = "Internal error (id " + id + "); retry, and report the id if it persists.";
        }
        return respond(ApiException.of(status, null, null, message), uri).build();
    }

    private static Response.ResponseBuilder respond(ApiException e, UriInfo uri) {
        Object body = e instanceof OipException || uri.getPath().startsWith("/v2") ? Map.of("error", e.getMessage())
                : OpenAiError.of(e);
        return Response.status(e.status()).entity(body).type("application/json");
    }
}
