package dev.meridian.models.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.OpenAiError;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one error family of the models service (registry, files, fine-tuning): OpenAI's {@code {"error":{...}}} body,
 * never a stack trace.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response refused(ApiException e) {
        var response = Response.status(e.status()).entity(OpenAiError.of(e)).type("application/json");
        e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }

    @ServerExceptionMapper
    public Response other(Throwable e, UriInfo uri) {
        Throwable json = e instanceof JsonProcessingException ? e : e.getCause();
        int status;
        String code;
        String message;
        if (json instanceof UnrecognizedPropertyException u) {
            status = 400;
            code = "unknown_parameter";
            message = "Unrecognized request argument supplied: " + u.getPropertyName() + ". This request takes: "
                    + String.join(", ", u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList())
                    + ".";
        } else if (json instanceof JsonProcessingException j) {
            status = 400;
            code = "invalid_json";
            message = "The request body is not valid JSON for this route: " + j.getOriginalMessage();
        } else if (e instanceof WebApplicationException w && w.getResponse().getStatus() < 500) {
            status = w.getResponse().getStatus();
            code = status == 404 ? "unknown_url" : status == 413 ? "file_too_large" : "invalid_request";
            message = status == 404 ? "Unknown request URL: " + uri.getPath() + ". See the API reference."
                    : status == 413 ? "The request body is larger than this service accepts; see the documented"
                            + " model size cap, or send the file in parts with POST /v1/uploads."
                    : w.getMessage();
        } else {
            String id = UUID.randomUUID().toString();
            LOG.errorf(e, "unexpected failure %s on %s", id, uri.getPath());
            status = 500;
            code = "server_error";
            message = "Internal error (id " + id + "); retry, and report the id if it persists.";
        }
        return refused(ApiException.of(status, code, null, message));
    }
}
