package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.common.error.Problem;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses, before anything else looks at a request, a path that would name another path once normalised: dot
 * segments ({@code /../}, {@code /./}) and encoded slashes, backslashes or dots. Routing, scope checks and HTTP
 * security see the normalised path while a proxy would pass the raw one on, so {@code /../v1/x} could be checked as
 * {@code /v1/x} and served by the next hop as something else (an internal endpoint). With such paths refused, the
 * normalised path is the only path: the one every check sees and every forward carries.
 */
@ApplicationScoped
public class PathGuard {

    /** Before {@link TokenErrors} and Quarkus' authentication: a refused path is never authenticated or routed. */
    static final int FIRST = TokenErrors.BEFORE_AUTHENTICATION + 50;

    @Inject
    ObjectMapper json;

    void guard(@Observes Filters filters) {
        filters.register(this::check, FIRST);
    }

    private void check(RoutingContext ctx) {
        Optional<String> problem = problem(ctx.request().path());
        if (problem.isEmpty()) {
            ctx.next();
            return;
        }
        String message = "The request path is refused: " + problem.get() + ". Send the path as the API reference"
                + " writes it, e.g. /v1/embeddings.";
        try {
            boolean api = ctx.request().path() != null && ctx.request().path().startsWith("/api/");
            Object body = api ? Problem.of(400, "Bad Request", message)
                    : OpenAiError.of("invalid_request_error", "invalid_path", message);
            ctx.response().setStatusCode(400).putHeader("Content-Type", api ? Problem.MEDIA_TYPE : "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(400).end();
        }
    }

    /** Why the raw path (before any decoding or normalisation) is refused, or empty when it may be routed as is. */
    static Optional<String> problem(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return Optional.of("it must start with /");
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00")
                || rawPath.indexOf('\\') >= 0) {
            return Optional.of("encoded slashes, dots, backslashes or NUL are not allowed in it");
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("dot segments (/./ or /../) are not allowed in it");
            }
        }
        return Optional.empty();
    }

    /** Where to send the request at {@code baseUrl}: the normalised path and the query, never the raw URI. */
    static String target(String baseUrl, String normalisedPath, RoutingContext ctx) {
        String query = ctx.request().query();
        return baseUrl.replaceAll("/+$", "") + normalisedPath + (query == null ? "" : "?" + query);
    }
}
