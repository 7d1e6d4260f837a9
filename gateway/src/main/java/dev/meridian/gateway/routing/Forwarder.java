package dev.meridian.gateway.routing;

import dev.meridian.common.observe.TraceHeaders;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Sends a request on to another server (tenancy, another region's gateway, a regional service) over pooled
 * keep-alive connections and streams the answer back, each chunk as it arrives (server-sent events included: see
 * {@link Relay}); a client that leaves mid-answer resets the call upstream. Hop-by-hop headers never cross; callers choose exactly which
 * request headers go (see {@link CallerHeaders}).
 */
@ApplicationScoped
public class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length");
    /** Headers a service sets for the gateway alone ({@link MeridianHeaders#USAGE}, {@link MeridianHeaders#MODEL}). */
    static final Set<String> FOR_GATEWAY_ONLY = Set.of(MeridianHeaders.USAGE.toLowerCase(Locale.ROOT),
            MeridianHeaders.MODEL.toLowerCase(Locale.ROOT));

    static final String EVENT_STREAM = "text/event-stream";
    /** nginx's header for "pass this answer on as it comes" (proxy buffering off for it). */
    static final String ACCEL_BUFFERING = "X-Accel-Buffering";

    @Inject
    Vertx vertx;
    @Inject
    GatewayConfig config;

    private HttpClient client;

    @PostConstruct
    void init() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(100)
                .setConnectTimeout(2000).setIdleTimeout(60));
    }

    /**
     * Forwards {@code ctx}'s request (method and buffered or streamed body) to {@code targetUrl}, an absolute URL with path and
     * query; {@code headers} are exactly the request headers sent. The answer's status, headers and body are relayed
     * as they arrive, plus {@code extraResponseHeaders}. {@code onUnreachable} answers the client when no answer
     * came (nothing has been sent to it then).
     */
    public void forward(RoutingContext ctx, String targetUrl, MultiMap headers, Map<String, String> extraResponseHeaders,
            Runnable onUnreachable) {
        forward(ctx, targetUrl, headers, extraResponseHeaders, onUnreachable, answer -> {
        });
    }

    /**
     * As above; {@code onAnswer} sees the answer's status and headers (with the usage headers that are stripped
     * before the client gets them) as soon as they arrive, before they are relayed.
     */
    public void forward(RoutingContext ctx, String targetUrl, MultiMap headers,
            Map<String, String> extraResponseHeaders, Runnable onUnreachable, Consumer<HttpClientResponse> onAnswer) {
        forwardWatched(ctx, targetUrl, headers, extraResponseHeaders, onUnreachable, answer -> {
            onAnswer.accept(answer);
            return RelayWatcher.NONE;
        });
    }

    /**
     * As above; the watcher {@code onAnswer} returns for the answer sees its body chunk by chunk as it is relayed,
     * and hears once how the relay ended (e.g. to meter a streamed answer once it is over).
     */
    public void forwardWatched(RoutingContext ctx, String targetUrl, MultiMap headers,
            Map<String, String> extraResponseHeaders, Runnable onUnreachable,
            Function<HttpClientResponse, RelayWatcher> onAnswer) {
        // The call goes on as a child of this gateway's span, never of the span the client named: Quarkus traces the
        // server side of the gateway, not this pooled client, so the trace headers are set here.
        headers.remove(TraceHeaders.TRACEPARENT).remove(TraceHeaders.TRACESTATE);
        TraceHeaders.current().forEach(headers::set);
        var options = new RequestOptions()
                .setAbsoluteURI(targetUrl)
                .setMethod(ctx.request().method())
                .setHeaders(headers)
                .setIdleTimeout(config.forwardTimeout().toMillis());
        // Routes without a body handler (model uploads) stream the paused request body instead of buffering it.
        boolean buffered = ctx.body() != null && ctx.body().available();
        Buffer body = buffered ? ctx.body().buffer() : null;
        client.request(options)
                .compose(req -> !buffered ? req.send(ctx.request())
                        : body == null || body.length() == 0 ? req.send() : req.send(body))
                .onSuccess(response -> {
                    RelayWatcher watcher = RelayWatcher.NONE;
                    try {
                        RelayWatcher w = onAnswer.apply(response);
                        watcher = w == null ? RelayWatcher.NONE : w;
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "handling the answer from %s failed; relaying it anyway", targetUrl);
                    }
                    relay(ctx, response, extraResponseHeaders, watcher);
                })
                .onFailure(failure -> {
                    LOG.debugf("forward to %s failed: %s", targetUrl, failure.toString());
                    if (!ctx.response().headWritten()) {
                        onUnreachable.run();
                    }
                });
    }

    /** The request headers worth passing on: all but hop-by-hop ones and those whose name starts with one in {@code drop}. */
    public static MultiMap passOn(MultiMap incoming, Set<String> drop) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        incoming.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !startsWithAny(lower, drop)) {
                out.add(name, value);
            }
        });
        return out;
    }

    private static boolean startsWithAny(String name, Set<String> prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the answer is a stream of server-sent events (streamed chat and text completions). */
    static boolean isEventStream(HttpClientResponse answer) {
        String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
    }

    private static void relay(RoutingContext ctx, HttpClientResponse upstream, Map<String, String> extra,
            RelayWatcher watcher) {
        var out = ctx.response();
        if (out.ended() || out.closed()) {
            upstream.request().reset(); // the client left while the upstream worked on it: let it stop
            watcher.ended(false);
            return;
        }
        out.setStatusCode(upstream.statusCode());
        upstream.headers().names().forEach(out.headers()::remove); // the upstream's answer wins, e.g. its X-Request-Id
        upstream.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !FOR_GATEWAY_ONLY.contains(lower)) {
                out.headers().add(name, value);
            }
        });
        extra.forEach((k, v) -> out.headers().set(k, v));
        if (isEventStream(upstream)) {
            // Events must reach the client as they are written: no cache keeps them, and a buffering proxy in front
            // of the gateway (nginx) is told not to hold them either.
            out.headers().set(HttpHeaders.CACHE_CONTROL, "no-cache");
            out.headers().set(ACCEL_BUFFERING, "no");
        }
        String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        } else if (ctx.request().method() != HttpMethod.HEAD && upstream.statusCode() != 204
                && upstream.statusCode() != 304) {
            out.setChunked(true);
        }
        new Relay(upstream, out, watcher).start();
    }

    /**
     * Relays one answer's body chunk by chunk as it arrives, nothing held back, with back-pressure (the upstream
     * pauses while the client's write queue is full). Written out rather than {@code upstream.pipeTo(out)}: a pipe
     * lets no one see the chunks it passes (streamed usage is read from them), and when the client goes away it
     * drains the upstream to its end instead of resetting it; here a client that leaves resets the upstream request,
     * so the service (or the home gateway, which passes it on) sees the disconnect and stops generating. All on one
     * event loop: the upstream's and the client's handlers run on the request's context.
     */
    private static final class Relay {
        private final HttpClientResponse upstream;
        private final HttpServerResponse out;
        private final RelayWatcher watcher;
        private boolean over;

        Relay(HttpClientResponse upstream, HttpServerResponse out, RelayWatcher watcher) {
            this.upstream = upstream;
            this.out = out;
            this.watcher = watcher;
        }

        void start() {
            out.exceptionHandler(failure -> clientLeft());
            out.closeHandler(ignored -> clientLeft());
            upstream.exceptionHandler(this::upstreamBrokeOff);
            upstream.handler(chunk -> {
                if (over) {
                    return;
                }
                watcher.chunk(chunk);
                out.write(chunk);
                if (out.writeQueueFull()) {
                    upstream.pause();
                    out.drainHandler(ignored -> upstream.resume());
                }
            });
            upstream.endHandler(ignored -> {
                if (finish()) {
                    out.end();
                    watcher.ended(true);
                }
            });
        }

        private void clientLeft() {
            if (finish()) {
                LOG.debug("the client left before the answer was relayed in full; resetting the upstream request");
                upstream.request().reset();
                watcher.ended(false);
            }
        }

        private void upstreamBrokeOff(Throwable failure) {
            if (finish()) {
                LOG.debugf("relaying an answer broke off: %s", failure.toString());
                if (!out.closed()) {
                    out.reset(); // the client must not take a cut answer for a whole one
                }
                watcher.ended(false);
            }
        }

        /** True the first time: the relay ends once, whichever side ends it. */
        private boolean finish() {
            if (over) {
                return false;
            }
            over = true;
            return true;
        }
    }
}
