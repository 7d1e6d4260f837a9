package dev.meridian.console.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The W3C {@code Server-Timing} header on every console answer: {@code app} is the whole request on the server (the
 * API calls through the gateway included), beside the {@code render} time a page adds itself (see
 * {@link PageSupport#page}). How long the console takes is then visible in any browser's developer tools.
 */
public class ServerTiming {

    static final String HEADER = "Server-Timing";
    private static final String STARTED = ServerTiming.class.getName() + ".started";

    static String metric(String name, long nanos) {
        return String.format(Locale.ROOT, "%s;dur=%.1f", name, nanos / 1e6);
    }

    @ServerRequestFilter(preMatching = true)
    public void started(ContainerRequestContext request) {
        request.setProperty(STARTED, System.nanoTime());
    }

    @ServerResponseFilter
    public void finished(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(STARTED) instanceof Long started) {
            response.getHeaders().add(HEADER, metric("app", System.nanoTime() - started));
        }
    }
}
