package dev.meridian.gateway.routing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Sends a request on to another server (tenancy, another region's gateway) with pooled keep-alive connections,
 * and relays the answer. Hop-by-hop headers never cross; callers choose which request headers go.
 */
@ApplicationScoped
public class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    @Inject
    Vertx vertx;

    private HttpClient client;

    @PostConstruct
    void init() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(100)
                .setConnectTimeout(2000).setIdleTimeout(60));
    }

    /**
     * Forwards {@code ctx}'s request (its buffered body) to {@code targetUrl}; {@code headers} are exactly the
     * request headers sent. {@code extraResponseHeaders} are added to the answer.
     */
    public void forward(RoutingContext ctx, String targetUrl, MultiMap headers, Map<String, String> extraResponseHeaders,
            Runnable onUnreachable) {
        URI uri = URI.create(targetUrl);
        var options = new RequestOptions()
                .setMethod(ctx.request().method())
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : 80)
                .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .setHeaders(headers)
                .setTimeout(120_000);
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        client.request(options)
                .compose(req -> body == null || body.length() == 0 ? req.send() : req.send(body))
                .onSuccess(response -> relay(ctx, response, extraResponseHeaders))
                .onFailure(failure -> {
                    LOG.debugf("forward to %s failed: %s", targetUrl, failure.getMessage());
                    onUnreachable.run();
                });
    }

    /** The request headers worth passing on: everything but hop-by-hop ones and those named in {@code drop}. */
    public static MultiMap passOn(MultiMap incoming, Set<String> drop) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        incoming.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && drop.stream().noneMatch(d -> lower.startsWith(d))) {
                out.add(name, value);
            }
        });
        return out;
    }

    private static void relay(RoutingContext ctx, HttpClientResponse response, Map<String, String> extra) {
        var out = ctx.response().setStatusCode(response.statusCode());
        response.headers().names().forEach(out.headers()::remove); // the upstream's answer wins, e.g. its X-Request-Id
        response.headers().forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                out.headers().add(name, value);
            }
        });
        extra.forEach((k, v) -> out.headers().set(k, v));
        response.body()
                .onSuccess(buffer -> out.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(buffer.length()))
                        .end(buffer))
                .onFailure(f -> ctx.fail(502, f));
    }
}
