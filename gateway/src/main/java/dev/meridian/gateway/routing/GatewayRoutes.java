package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.KeyRecord;
import dev.meridian.gateway.apikeys.LastUsedReporter;
import dev.meridian.gateway.apikeys.ServiceToken;
import dev.meridian.gateway.apikeys.Verdict;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.models.ModelCatalog;
import dev.meridian.gateway.ratelimit.RateLimiter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * The gateway's routes. {@code /v1/*}: API key → scope → rate limit → home region (forward) or served here.
 * {@code /internal/forward/*}: calls another region's gateway authenticated and forwarded (its service token is
 * checked by Quarkus' HTTP security before this runs). {@code /api/*}: Keycloak-authenticated, proxied to tenancy.
 */
@ApplicationScoped
public class GatewayRoutes {

    static final String FORWARD_PREFIX = "/internal/forward";
    static final String SERVED_BY = "X-Meridian-Served-By";

    @Inject
    GatewayConfig config;
    @Inject
    KeyDirectory keys;
    @Inject
    RateLimiter limiter;
    @Inject
    LastUsedReporter lastUsed;
    @Inject
    ServiceToken serviceToken;
    @Inject
    Forwarder forwarder;
    @Inject
    ModelCatalog catalog;
    @Inject
    ObjectMapper json;

    void routes(@Observes Router router) {
        var body = BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
        router.route("/v1/*").handler(body).handler(this::authenticate);
        router.route("/v2/*").handler(body).handler(this::authenticate);
        router.route(FORWARD_PREFIX + "/*").handler(body).handler(this::forwarded);
        router.route("/api/*").handler(body).handler(this::proxyToTenancy);
    }

    private void authenticate(RoutingContext ctx) {
        String requestId = requestId(ctx);
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            error(ctx, Verdict.missing());
            return;
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : header.strip();
        Optional<String> prefix = ApiKeySecret.prefixOf(presented);
        if (prefix.isEmpty()) {
            error(ctx, Verdict.invalid(presented));
            return;
        }
        keys.find(prefix.get()).whenComplete((found, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
                respond(ctx, 503, OpenAiError.of("service_unavailable", "service_unavailable",
                        "Meridian could not check your API key just now (" + cause.getMessage() + "). Retry in a"
                                + " few seconds."));
                return;
            }
            Verdict verdict = Verdict.of(presented, found, Instant.now());
            if (!verdict.allowed()) {
                error(ctx, verdict);
                return;
            }
            admit(ctx, verdict.key(), requestId);
        });
    }

    private void admit(RoutingContext ctx, KeyRecord key, String requestId) {
        String path = ctx.normalizedPath();
        if (!Scopes.allows(key.scopes(), path)) {
            respond(ctx, 403, OpenAiError.of("permission_error", "insufficient_scope",
                    "This API key lacks the scope " + String.join(" or ", Scopes.required(path).orElseThrow())
                            + " that " + path + " needs. Use a key with that scope or add it in the console."));
            return;
        }
        var decision = limiter.take(key, System.nanoTime());
        var response = ctx.response();
        response.putHeader("x-ratelimit-limit-requests", String.valueOf(limiter.limitOf(key)));
        response.putHeader("x-ratelimit-remaining-requests", String.valueOf(decision.remaining()));
        response.putHeader("x-ratelimit-reset-requests", decision.resetNanos() / 1_000_000 + "ms");
        if (!decision.allowed()) {
            long seconds = Math.max(1, (decision.retryAfterNanos() + 999_999_999L) / 1_000_000_000L);
            response.putHeader("Retry-After", String.valueOf(seconds));
            respond(ctx, 429, OpenAiError.of("requests", "rate_limit_exceeded", "Rate limit reached for this API"
                    + " key: " + limiter.limitOf(key) + " requests per second on the " + key.plan() + " plan. Retry"
                    + " after " + seconds + " s, or move to a larger plan."));
            return;
        }
        lastUsed.used(key);
        var identity = new CallerIdentity(key.tenantId().toString(), key.keyId().toString(), key.scopes(),
                config.region());
        if (!config.region().equals(key.homeRegion())) {
            toHomeRegion(ctx, key, identity, requestId);
            return;
        }
        serveHere(ctx, identity, path);
    }

    /** Carries the call to the gateway of the tenant's home region, where its data lives. */
    private void toHomeRegion(RoutingContext ctx, KeyRecord key, CallerIdentity identity, String requestId) {
        if (!key.transitAllowed() || key.homeGatewayUrl() == null) {
            respond(ctx, 421, OpenAiError.of("invalid_request_error", "wrong_region", "Your organization is homed in "
                    + key.homeRegion() + " and does not allow its calls to pass through other regions. Call "
                    + (key.homeGatewayUrl() == null ? "the " + key.homeRegion() + " gateway" : key.homeGatewayUrl())
                    + " instead."));
            return;
        }
        serviceToken.get().whenComplete((token, failure) -> {
            if (failure != null) {
                respond(ctx, 503, OpenAiError.of("service_unavailable", "service_unavailable",
                        "Meridian could not reach your home region just now. Retry in a few seconds."));
                return;
            }
            MultiMap headers = onBehalfOf(ctx, identity, token, requestId);
            headers.set(MeridianHeaders.FORWARDED_BY, config.region());
            String target = key.homeGatewayUrl().replaceAll("/+$", "") + FORWARD_PREFIX + ctx.request().uri();
            forwarder.forward(ctx, target, headers, Map.of(), () -> respond(ctx, 502, OpenAiError.of(
                    "service_unavailable", "home_region_unreachable", "Your home region " + key.homeRegion()
                            + " did not answer. Retry, or call " + key.homeGatewayUrl() + " directly.")));
        });
    }

    /** A call another region's gateway authenticated; Quarkus has already checked its service token. */
    private void forwarded(RoutingContext ctx) {
        requestId(ctx);
        var h = ctx.request().headers();
        String tenant = h.get(MeridianHeaders.TENANT_ID);
        String key = h.get(MeridianHeaders.KEY_ID);
        if (tenant == null || key == null) {
            respond(ctx, 400, OpenAiError.of("invalid_request_error", "bad_forward",
                    "A forwarded call must name the tenant and key it was authenticated for."));
            return;
        }
        String scopes = h.get(MeridianHeaders.SCOPES);
        var identity = new CallerIdentity(tenant, key, scopes == null ? List.of() : Arrays.asList(scopes.split(",")),
                h.get(MeridianHeaders.REGION));
        serveHere(ctx, identity, ctx.normalizedPath().substring(FORWARD_PREFIX.length()));
    }

    /** Routes served by this region: model calls go to the region's inference service. */
    private void serveHere(RoutingContext ctx, CallerIdentity identity, String path) {
        ctx.response().putHeader(SERVED_BY, config.region());
        if (config.inferenceUrl().isPresent() && isInference(path)) {
            toService(ctx, identity, config.inferenceUrl().get(), path);
        } else if (ctx.request().method() == HttpMethod.GET && path.equals("/v1/models")) {
            ok(ctx, Map.of("object", "list", "data", catalog.models()));
        } else if (ctx.request().method() == HttpMethod.GET && path.startsWith("/v1/models/")) {
            String id = path.substring("/v1/models/".length());
            catalog.find(id).ifPresentOrElse(m -> ok(ctx, m), () -> respond(ctx, 404, OpenAiError.of(
                    "invalid_request_error", "model_not_found", "model", "The model '" + id + "' does not exist or"
                            + " you do not have access to it. GET /v1/models lists the models you can use.")));
        } else {
            respond(ctx, 404, OpenAiError.of("invalid_request_error", "unknown_url", "Unknown request URL: "
                    + ctx.request().method() + " " + path + ". See the API reference for the routes Meridian serves."));
        }
    }

    private static boolean isInference(String path) {
        return path.equals("/v1/embeddings") || path.equals("/v1/models") || path.startsWith("/v1/models/")
                || path.startsWith("/v2/");
    }

    /** Hands an authenticated call to a regional service, with the caller's identity and never the raw key. */
    private void toService(RoutingContext ctx, CallerIdentity identity, String baseUrl, String path) {
        serviceToken.get().whenComplete((token, failure) -> {
            if (failure != null) {
                respond(ctx, 503, OpenAiError.of("service_unavailable", "service_unavailable",
                        "Meridian could not authorise the call to its model service just now. Retry shortly."));
                return;
            }
            MultiMap headers = onBehalfOf(ctx, identity, token,
                    ctx.response().headers().get(MeridianHeaders.REQUEST_ID));
            String query = ctx.request().query();
            String target = baseUrl.replaceAll("/+$", "") + path + (query == null ? "" : "?" + query);
            forwarder.forward(ctx, target, headers, Map.of(SERVED_BY, config.region()), () -> respond(ctx, 503,
                    OpenAiError.of("service_unavailable", "service_unavailable", "The model service of "
                            + config.region() + " did not answer. Retry shortly.")));
        });
    }

    /**
     * The headers of a call made for an authenticated caller: the client's own headers minus its credentials and any
     * X-Meridian-* it sent, plus the gateway's service token and the caller's identity.
     */
    private static MultiMap onBehalfOf(RoutingContext ctx, CallerIdentity identity, String token, String requestId) {
        MultiMap headers = Forwarder.passOn(ctx.request().headers(), Set.of("authorization", "x-meridian-"));
        headers.set("Authorization", "Bearer " + token);
        headers.set(MeridianHeaders.TENANT_ID, identity.tenantId());
        headers.set(MeridianHeaders.KEY_ID, identity.keyId());
        headers.set(MeridianHeaders.SCOPES, String.join(",", identity.scopes()));
        headers.set(MeridianHeaders.REGION, identity.enteredAt());
        headers.set(MeridianHeaders.REQUEST_ID, requestId);
        return headers;
    }

    private void proxyToTenancy(RoutingContext ctx) {
        requestId(ctx);
        MultiMap headers = Forwarder.passOn(ctx.request().headers(), Set.of("x-meridian-"));
        String target = config.tenancyUrl().replaceAll("/+$", "") + ctx.request().uri();
        forwarder.forward(ctx, target, headers, Map.of(SERVED_BY, config.region()), () -> ctx.response()
                .setStatusCode(503).putHeader("Content-Type", "application/problem+json")
                .end("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                        + "\"detail\":\"The management API is unreachable just now. Retry in a few seconds.\"}"));
    }

    private static String requestId(RoutingContext ctx) {
        String id = ctx.request().getHeader(MeridianHeaders.REQUEST_ID);
        if (id == null || id.isBlank() || id.length() > 128) {
            id = UUID.randomUUID().toString();
        }
        ctx.response().putHeader(MeridianHeaders.REQUEST_ID, id);
        return id;
    }

    private void error(RoutingContext ctx, Verdict verdict) {
        respond(ctx, verdict.status(), verdict.error());
    }

    private void ok(RoutingContext ctx, Object body) {
        write(ctx, 200, body);
    }

    private void respond(RoutingContext ctx, int status, OpenAiError error) {
        write(ctx, status, error);
    }

    private void write(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(500, e);
        }
    }
}
