package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.apikey.Scope;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.common.error.Problem;
import dev.meridian.common.observe.CallContext;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.CallerIdentity;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.KeyLookupRefused;
import dev.meridian.gateway.apikeys.KeyRecord;
import dev.meridian.gateway.apikeys.LastUsedReporter;
import dev.meridian.gateway.apikeys.Verdict;
import dev.meridian.gateway.budgets.LeaseKeeper;
import dev.meridian.gateway.budgets.TenantBudgets;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.metering.StreamUsage;
import dev.meridian.gateway.metering.UsageMeter;
import dev.meridian.gateway.metrics.GatewayMetrics;
import dev.meridian.gateway.models.ModelCatalog;
import dev.meridian.gateway.ratelimit.RateLimiter;
import dev.meridian.gateway.ratelimit.TokenAllowance;
import dev.meridian.gateway.ratelimit.TokenBucket;
import dev.meridian.gateway.ratelimit.TokenRateLimiter;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.jwt.JsonWebToken;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The gateway's routes, all on the Vert.x event loop (nothing here blocks).
 * <ul>
 * <li>{@code /v1/*}, {@code /v2/*}, admitted in one chain, each step refusing in the API's words or handing on:
 * <ol>
 * <li>authenticate ({@link #authenticate}): an API key, or a signed-in member's token with
 * {@code OpenAI-Organization} ({@link #asMember});</li>
 * <li>scope ({@link #admit}): the route table ({@link Scopes}) names the path (else 404) and the scopes it needs
 * (else 403);</li>
 * <li>rate limit ({@link #withinRateLimit}): the key's share of its plan's rate (429);</li>
 * <li>region ({@link #admitted}): a tenant homed elsewhere is forwarded to its home gateway
 * ({@link #toHomeRegion}), which serves it from step 5 on ({@link #forwarded});</li>
 * <li>service ({@link #serveHere}): the route table's service that this region runs;</li>
 * <li>tokens ({@link #withinTokenLimit}): a generative call ({@link Scopes#generative}) needs its key's tokens per
 * minute not overdrawn (429);</li>
 * <li>budget ({@link #toService}): a write needs its tenant's quota lease (402, or 503 while billing is away);</li>
 * <li>forward ({@link #toServiceAdmitted}) with the caller's identity, never the key;</li>
 * <li>meter ({@link #metered}): a 2xx answer's usage goes to billing through the spool, and is taken from the
 * key's lease and tokens per minute; a streamed answer's when its relay ends.</li>
 * </ol></li>
 * <li>{@code /internal/forward/*}: a call another region's gateway authenticated and forwarded; Quarkus' HTTP
 * security has checked its service token (realm role {@code service-gateway}: gateways only) before this runs.</li>
 * <li>{@code /api/*}: Keycloak-authenticated (checked by Quarkus' HTTP security), proxied to tenancy unchanged.</li>
 * </ul>
 */
@ApplicationScoped
public class GatewayRoutes {

    static final String FORWARD_PREFIX = "/internal/forward";
    static final String SERVED_BY = "X-Meridian-Served-By";
    /** OpenAI's header for the organization a call is for: with a sign-in token, the tenant. */
    static final String ORGANIZATION = "OpenAI-Organization";
    private static final String JSON = "application/json";
    private static final int MAX_REQUEST_ID_LENGTH = 128;

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
    GatewayMetrics metrics;
    @Inject
    ModelCatalog catalog;
    @Inject
    ObjectMapper json;
    @Inject
    UsageMeter usage;
    @Inject
    TenantBudgets budgets;
    @Inject
    TokenRateLimiter tokenLimits;

    void routes(@Observes Router router) {
        var body = BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
        // Model uploads (and fine-tuning datasets) can be far larger than what the gateway buffers: their bodies stream to the models service
        // (paused until the key is checked), which enforces the model size cap. Registered first, so they win.
        for (String upload : List.of("/v1/models", "/v1/uploads/:upload/parts", "/v1/files")) {
            router.route(HttpMethod.POST, upload).handler(this::pauseBody).handler(this::authenticate);
            router.route(HttpMethod.POST, FORWARD_PREFIX + upload).handler(this::pauseBody).handler(this::forwarded);
        }
        router.route("/v1/*").handler(body).handler(this::authenticate);
        router.route("/v2/*").handler(body).handler(this::authenticate);
        router.route(FORWARD_PREFIX + "/*").handler(body).handler(this::forwarded);
        router.route("/api/*").handler(body).handler(this::proxyToTenancy);
        for (String path : List.of("/v1/*", "/v2/*", FORWARD_PREFIX + "/*", "/api/*")) {
            router.route(path).failureHandler(this::tooLarge);
        }
    }

    /** A body past {@code max-body-bytes} (the body handler fails the call with 413): say so, in the API's words. */
    private void tooLarge(RoutingContext ctx) {
        if (ctx.statusCode() != 413 || ctx.response().ended()) {
            ctx.next();
            return;
        }
        String detail = "The request body is larger than the " + config.maxBodyBytes() + " bytes this gateway"
                + " accepts. Send fewer inputs per call (split a batch into several requests); model files and"
                + " datasets go through POST /v1/uploads or POST /v1/files, which take large bodies.";
        if (ctx.normalizedPath().startsWith("/api/")) {
            try {
                ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .end(json.writeValueAsString(Problem.of(413, "Content Too Large", detail)
                                .withInstance(ctx.normalizedPath())));
            } catch (JsonProcessingException e) {
                ctx.response().setStatusCode(413).end();
            }
            return;
        }
        respond(ctx, 413, OpenAiError.of("invalid_request_error", "request_too_large", detail));
    }

    private void pauseBody(RoutingContext ctx) {
        ctx.request().pause();
        ctx.next();
    }

    private void authenticate(RoutingContext ctx) {
        String requestId = requestId(ctx);
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            error(ctx, Verdict.missing());
            return;
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
                : header.strip();
        Optional<String> prefix = ApiKeySecret.prefixOf(presented);
        if (prefix.isPresent()) {
            admitWhenAllowed(ctx, keys.find(prefix.get(), ctx.request().remoteAddress()),
                    found -> Verdict.of(presented, found, Instant.now()), requestId);
        } else if (isJwt(presented)) {
            asMember(ctx, requestId);
        } else {
            error(ctx, Verdict.invalid(presented)); // not a Meridian key at all: no lookup
        }
    }

    /** Admits the call once the lookup says who calls and {@code verdict} allows it. */
    private void admitWhenAllowed(RoutingContext ctx, CompletionStage<Optional<KeyRecord>> lookup,
            Function<Optional<KeyRecord>, Verdict> verdictOf, String requestId) {
        onRequestContext(lookup, (found, failure) -> {
            if (failure instanceof KeyLookupRefused refused) {
                // too many unknown keys from this address (or lookups in flight): refused before asking tenancy
                ctx.response().putHeader("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                error(ctx, refused.verdict());
                return;
            }
            if (failure != null) {
                ctx.response().putHeader("Retry-After", "1");
                respond(ctx, 503, OpenAiError.of("server_error", "service_unavailable",
                        "Meridian could not check your credentials just now because its key service did not answer."
                                + " Retry in a few seconds."));
                return;
            }
            Verdict verdict = verdictOf.apply(found);
            if (!verdict.allowed()) {
                error(ctx, verdict);
                return;
            }
            admit(ctx, verdict.key(), requestId);
        });
    }

    /**
     * A signed-in person's Keycloak access token instead of a key (the console calls so, for its user): Quarkus' OIDC
     * checks the token, the {@code OpenAI-Organization} header names the tenant, and tenancy says whether the person
     * is an active member there; the call then goes as a key of theirs would, with the scopes their role may put on a
     * key, rate-limited and metered under their membership id.
     */
    private void asMember(RoutingContext ctx, String requestId) {
        String organization = ctx.request().getHeader(ORGANIZATION);
        UUID tenant = uuidOrNull(organization);
        if (tenant == null) {
            respond(ctx, 400, OpenAiError.of("invalid_request_error", "organization_required", (organization == null
                    ? "A sign-in token acts for a person, who may belong to several tenants: name one"
                    : "'" + organization + "' is not a tenant id: name the tenant") + " in the " + ORGANIZATION
                    + " header (its id, as GET /api/v1/tenants lists it). Programs should call with an API key."));
            return;
        }
        var identity = QuarkusHttpUser.getSecurityIdentity(ctx, null);
        if (identity == null) {
            error(ctx, Verdict.invalidToken());
            return;
        }
        Context context = Vertx.currentContext();
        identity.subscribe().with(id -> context.runOnContext(x -> signedIn(ctx, tenant, id, requestId)),
                failure -> context.runOnContext(x -> signedIn(ctx, tenant, null, requestId)));
    }

    private void signedIn(RoutingContext ctx, UUID tenant, SecurityIdentity identity, String requestId) {
        if (ctx.response().headWritten()) {
            return;
        }
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || jwt.getSubject() == null) {
            error(ctx, Verdict.invalidToken());
            return;
        }
        admitWhenAllowed(ctx, keys.findMember(tenant, jwt.getSubject(), ctx.request().remoteAddress()),
                found -> Verdict.ofMember(tenant, found), requestId);
    }

    /** Three dot-separated parts: a JWT, not a mistyped key. */
    private static boolean isJwt(String presented) {
        int first = presented.indexOf('.');
        int last = presented.lastIndexOf('.');
        return first > 0 && last > first + 1 && last < presented.length() - 1 && presented.indexOf('.', first + 1) == last;
    }

    private static UUID uuidOrNull(String text) {
        try {
            return text == null ? null : UUID.fromString(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void admit(RoutingContext ctx, KeyRecord key, String requestId) {
        String path = ctx.normalizedPath();
        String method = ctx.request().method().name();
        if (Scopes.required(method, path).isEmpty()) {
            // deny by default: only the routes the table names are served or forwarded anywhere
            respond(ctx, 404, unknownUrl(method, path));
            return;
        }
        if (!Scopes.allows(key.scopes(), method, path)) {
            String needed = String.join(" or ", Scopes.required(method, path).orElseThrow());
            respond(ctx, 403, OpenAiError.of("permission_error", "insufficient_scope", key.isMember()
                    ? "Your role in this organization does not allow " + method + " " + path + " (it needs the scope "
                            + needed + "). Ask an owner or admin of the organization for a role that does."
                    : "This API key lacks the scope " + needed + " that " + path + " needs. Use a key with that"
                            + " scope, or create one in the console or with POST /api/v1/tenants/{id}/api-keys."));
            return;
        }
        onRequestContext(limiter.take(key), (decision, failure) -> {
            if (failure != null) {
                // the limiter never fails (billing's failures fall back to the local bucket): a bug, so say so
                ctx.fail(failure);
            } else if (withinRateLimit(ctx, key, decision)) {
                admitted(ctx, key, path, requestId);
            }
        });
    }

    private void admitted(RoutingContext ctx, KeyRecord key, String path, String requestId) {
        if (!key.isMember()) {
            lastUsed.used(key);
        }
        var caller = new CallerIdentity(key.tenantId().toString(), key.keyId().toString(), key.scopes(),
                config.region());
        CallContext.tenant(key.tenantId());
        long tokensPerMinute = tokenLimits.perMinute(key.rateLimit() == null ? 0 : key.rateLimit().tokensPerMinute());
        if (!config.region().equals(key.homeRegion())) {
            toHomeRegion(ctx, key, caller, requestId, tokensPerMinute);
            return;
        }
        serveHere(ctx, caller, path, requestId, tokensPerMinute);
    }

    /**
     * Says in the answer's headers what the key's rate limit decided (remaining: what this gateway may still admit);
     * answers 429 when the call was refused.
     */
    private boolean withinRateLimit(RoutingContext ctx, KeyRecord key, TokenBucket.Decision decision) {
        int limit = RateLimiter.limitOf(key).requestsPerSecond();
        var response = ctx.response();
        response.putHeader("x-ratelimit-limit-requests", String.valueOf(limit));
        response.putHeader("x-ratelimit-remaining-requests", String.valueOf(decision.remaining()));
        response.putHeader("x-ratelimit-reset-requests", RateLimiter.durationText(decision.resetNanos()));
        if (decision.allowed()) {
            return true;
        }
        long seconds = decision.retryAfterSeconds();
        response.putHeader("Retry-After", String.valueOf(seconds));
        respond(ctx, 429, OpenAiError.of("requests", "rate_limit_exceeded", "Rate limit reached for this API key: "
                + limit + " requests per second (burst " + RateLimiter.limitOf(key).burst() + ") on the "
                + key.plan() + " plan. Retry after " + seconds + " s, or move to a larger plan."));
        return false;
    }

    /** Carries the call to the gateway of the tenant's home region, where its data lives. */
    private void toHomeRegion(RoutingContext ctx, KeyRecord key, CallerIdentity caller, String requestId,
            long tokensPerMinute) {
        var sealed = RegionBoundary.outbound(config.region(), config.sovereign(), key);
        if (sealed.isPresent()) {
            respond(ctx, 421, sealed.get());
            return;
        }
        if (!key.transitAllowed() || key.homeGatewayUrl() == null || key.homeGatewayUrl().isBlank()) {
            respond(ctx, 421, OpenAiError.of("invalid_request_error", "wrong_region", "Your organization is homed in "
                    + key.homeRegion() + " and does not allow its calls to pass through other regions. Call "
                    + (key.homeGatewayUrl() == null ? "the " + key.homeRegion() + " gateway" : key.homeGatewayUrl())
                    + " instead."));
            return;
        }
        onRequestContext(serviceToken.get().subscribeAsCompletionStage(), (token, failure) -> {
            if (failure != null) {
                ctx.response().putHeader("Retry-After", "1");
                respond(ctx, 503, OpenAiError.of("server_error", "service_unavailable", "Meridian could not"
                        + " authorise the call to your home region " + key.homeRegion() + " just now. Retry in a"
                        + " few seconds."));
                return;
            }
            MultiMap headers = CallerHeaders.toHomeGateway(ctx.request().headers(), caller, token, requestId,
                    config.region());
            // the home gateway limits tokens per minute (only it learns the tokens used), at the key's plan's rate
            headers.set(CallerHeaders.TOKENS_PER_MINUTE, String.valueOf(tokensPerMinute));
            String target = PathGuard.target(key.homeGatewayUrl(), FORWARD_PREFIX + ctx.normalizedPath(), ctx);
            metrics.admitted("forwarded");
            forwarder.forward(ctx, target, headers, Map.of(), () -> respond(ctx, 502, OpenAiError.of(
                    "server_error", "home_region_unreachable", "Your home region " + key.homeRegion()
                            + " did not answer. Retry, or call " + key.homeGatewayUrl() + " directly.")));
        });
    }

    /** A call another region's gateway authenticated; it is served here and never forwarded again. */
    private void forwarded(RoutingContext ctx) {
        String requestId = requestId(ctx);
        var h = ctx.request().headers();
        String from = h.get(MeridianHeaders.FORWARDED_BY);
        if (config.region().equals(from)) {
            respond(ctx, 508, OpenAiError.of("server_error", "loop_detected", "The " + config.region() + " gateway"
                    + " received a call it forwarded itself, so region routing would loop. The gateway URL that"
                    + " tenancy lists for this tenant's home region points at the wrong gateway; an operator must"
                    + " correct it. Retry later or call your home region's gateway directly."));
            return;
        }
        var sealed = RegionBoundary.inbound(config.region(), config.sovereign(), from);
        if (sealed.isPresent()) {
            respond(ctx, 421, sealed.get());
            return;
        }
        Optional<Caller> asserted;
        try {
            asserted = Caller.parse(h::get); // the one parser of what a gateway asserts, as every service uses
        } catch (ApiException malformed) {
            respond(ctx, 400, OpenAiError.of("invalid_request_error", "bad_forward", "A forwarded call's caller"
                    + " headers are malformed: " + malformed.getMessage()));
            return;
        }
        if (asserted.isEmpty() || asserted.get().keyId().isEmpty()) {
            respond(ctx, 400, OpenAiError.of("invalid_request_error", "bad_forward", "A forwarded call must carry "
                    + MeridianHeaders.TENANT_ID + " and " + MeridianHeaders.KEY_ID + " naming the tenant and key"
                    + " the forwarding gateway authenticated."));
            return;
        }
        Caller c = asserted.get();
        var caller = new CallerIdentity(c.tenantId().toString(), c.keyId().get().toString(),
                c.scopes().stream().map(Scope::wireName).sorted().toList(), c.region().orElse(from));
        CallContext.tenant(c.tenantId());
        String path = ctx.normalizedPath().substring(FORWARD_PREFIX.length());
        if (Scopes.required(ctx.request().method().name(), path).isEmpty()) {
            respond(ctx, 404, unknownUrl(ctx.request().method().name(), path));
            return;
        }
        serveHere(ctx, caller, path, requestId, tokenLimits.perMinute(positiveOrZero(
                h.get(CallerHeaders.TOKENS_PER_MINUTE))));
    }

    /** A count a forwarding gateway sent; 0 (the default applies) when it sent none or nothing usable. */
    private static long positiveOrZero(String value) {
        try {
            return value == null ? 0 : Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Routes served by this region: the route table names the services that answer the path, and the first one this
     * region runs gets the call; without any, base models are listed from the gateway's catalog.
     */
    private void serveHere(RoutingContext ctx, CallerIdentity caller, String path, String requestId,
            long tokensPerMinute) {
        ctx.response().putHeader(SERVED_BY, config.region());
        HttpMethod method = ctx.request().method();
        for (Scopes.Service service : Scopes.servedBy(path)) {
            Optional<String> url = switch (service) {
                case MODELS -> config.modelsUrl();
                case INFERENCE -> config.inferenceUrl();
                case CATALOG -> Optional.empty();
            };
            if (url.isPresent()) {
                toService(ctx, caller, url.get(), path, requestId, tokensPerMinute);
                return;
            }
            if (service == Scopes.Service.CATALOG && method == HttpMethod.GET) {
                fromCatalog(ctx, path);
                return;
            }
        }
        respond(ctx, 404, unknownUrl(method.name(), path));
    }

    /** {@code GET /v1/models[/{id}]} answered from the gateway's catalog of base models. */
    private void fromCatalog(RoutingContext ctx, String path) {
        if (path.equals("/v1/models")) {
            ok(ctx, Map.of("object", "list", "data", catalog.models()));
            return;
        }
        String id = path.substring("/v1/models/".length());
        catalog.find(id).ifPresentOrElse(m -> ok(ctx, m), () -> respond(ctx, 404, OpenAiError.of(
                "invalid_request_error", "model_not_found", "model", "The model '" + id + "' does not exist or"
                        + " you do not have access to it. GET /v1/models lists the models you can use.")));
    }

    /** Deny by default: a path the route table does not name is neither served nor forwarded anywhere. */
    private static OpenAiError unknownUrl(String method, String path) {
        return OpenAiError.of("invalid_request_error", "unknown_url", "Unknown request URL: " + method + " " + path
                + ". See the API reference for the routes Meridian serves.");
    }

    /**
     * Hands an authenticated call to a regional service, with the caller's identity and never the raw key. Every
     * such call is billable: it needs its key's quota lease first (402 when a budget is used up) and is metered
     * when the service answers 2xx (see {@link #metered}).
     */
    private void toService(RoutingContext ctx, CallerIdentity caller, String baseUrl, String path, String requestId,
            long tokensPerMinute) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            // reads cost next to nothing and must not depend on billing: no lease, metered as any call
            toServiceAdmitted(ctx, caller, baseUrl, path, requestId, 0);
            return;
        }
        long tokenLimit = Scopes.generative(path) ? tokensPerMinute : 0;
        if (tokenLimit > 0 && !withinTokenLimit(ctx, caller, tokenLimit)) {
            return;
        }
        onRequestContext(budgets.admit(caller.tenantId(), caller.keyId()), (admission, failure) -> {
            if (admission instanceof LeaseKeeper.Admission.Refused refused) {
                respond(ctx, 402, TenantBudgets.refusal(refused.lease()));
            } else if (admission instanceof LeaseKeeper.Admission.Granted) {
                toServiceAdmitted(ctx, caller, baseUrl, path, requestId, tokenLimit);
            } else {
                ctx.response().putHeader("Retry-After", "1");
                respond(ctx, 503, TenantBudgets.unavailable(admission instanceof LeaseKeeper.Admission.Unavailable u
                        && u.allowanceSpent()));
            }
        });
    }

    /**
     * Says in the answer's headers what is left of the key's tokens per minute (as OpenAI's
     * {@code x-ratelimit-*-tokens}); answers 429 while the key has spent more than its minute's tokens.
     */
    private boolean withinTokenLimit(RoutingContext ctx, CallerIdentity caller, long perMinute) {
        UUID key = uuidOrNull(caller.keyId());
        if (key == null) {
            return true; // forwarded calls name a key id (checked); nothing to limit by otherwise
        }
        TokenAllowance.Decision decision = tokenLimits.check(key, perMinute);
        var response = ctx.response();
        response.putHeader("x-ratelimit-limit-tokens", String.valueOf(perMinute));
        response.putHeader("x-ratelimit-remaining-tokens", String.valueOf(decision.remaining()));
        response.putHeader("x-ratelimit-reset-tokens", RateLimiter.durationText(decision.resetNanos()));
        if (decision.allowed()) {
            return true;
        }
        long seconds = decision.retryAfterSeconds();
        response.putHeader("Retry-After", String.valueOf(seconds));
        respond(ctx, 429, OpenAiError.of("tokens", "rate_limit_exceeded", "Rate limit reached for this API key: "
                + perMinute + " tokens per minute (prompt and completion tokens of chat and text completions), and"
                + " its last calls used more than that. Retry after " + seconds + " s, ask for fewer tokens"
                + " (max_tokens), or move to a larger plan."));
        return false;
    }

    /** {@code tokensPerMinute}: the key's limit when the call spends it (a generative call), else 0. */
    private void toServiceAdmitted(RoutingContext ctx, CallerIdentity caller, String baseUrl, String path,
            String requestId, long tokensPerMinute) {
        onRequestContext(serviceToken.get().subscribeAsCompletionStage(), (token, failure) -> {
            if (failure != null) {
                ctx.response().putHeader("Retry-After", "1");
                respond(ctx, 503, OpenAiError.of("server_error", "service_unavailable", "Meridian could not"
                        + " authorise the call to its model service just now. Retry in a few seconds."));
                return;
            }
            MultiMap headers = CallerHeaders.onBehalfOf(ctx.request().headers(), caller, token, requestId);
            // Served here, so this region is the tenant's home (or the call was forwarded here as its home).
            headers.set(MeridianHeaders.HOME_REGION, config.region());
            String target = PathGuard.target(baseUrl, path, ctx);
            metrics.admitted("served");
            forwarder.forwardWatched(ctx, target, headers, Map.of(SERVED_BY, config.region()), () -> {
                ctx.response().putHeader("Retry-After", "1");
                respond(ctx, 503, OpenAiError.of("server_error", "service_unavailable", "The model service of "
                        + config.region() + " did not answer. Retry in a few seconds."));
            }, answer -> metered(caller, answer, tokensPerMinute));
        });
    }

    /**
     * Meters a call this (home-region) gateway served: only answers 2xx, from the service's usage headers, which
     * {@link Forwarder} strips before the client sees them. A gateway that forwarded the call elsewhere never
     * meters it; the home gateway that served it does. A streamed answer (server-sent events) is metered once, when
     * its relay ends, whether it ran to its end or the client left: from the last {@code : usage} comment relayed
     * (cumulative totals), else from its header ({@link StreamUsage}).
     */
    private RelayWatcher metered(CallerIdentity caller, HttpClientResponse answer, long tokensPerMinute) {
        if (answer.statusCode() / 100 != 2) {
            return RelayWatcher.NONE;
        }
        String model = answer.getHeader(MeridianHeaders.MODEL);
        if (!Forwarder.isEventStream(answer)) {
            spent(caller, model, answer.getHeader(MeridianHeaders.USAGE), tokensPerMinute);
            return RelayWatcher.NONE;
        }
        var stream = new StreamUsage(answer.getHeader(MeridianHeaders.USAGE));
        return new RelayWatcher() {
            @Override
            public void chunk(Buffer chunk) {
                stream.accept(chunk);
            }

            @Override
            public void ended(boolean complete) {
                spent(caller, model, stream.usage(), tokensPerMinute);
            }
        };
    }

    /** Meters what a served call used and takes it from the key's lease and (generative calls) tokens per minute. */
    private void spent(CallerIdentity caller, String model, String usageText, long tokensPerMinute) {
        Map<Meter, Long> used = usage.served(caller, model, usageText, Instant.now());
        budgets.spent(caller.tenantId(), caller.keyId(), used);
        UUID key = uuidOrNull(caller.keyId());
        if (tokensPerMinute > 0 && key != null) {
            tokenLimits.debit(key, tokensPerMinute, used.getOrDefault(Meter.PROMPT_TOKENS, 0L)
                    + used.getOrDefault(Meter.COMPLETION_TOKENS, 0L));
        }
    }

    /** The management API: Quarkus has checked the Keycloak token; tenancy sees the request as the client sent it. */
    private void proxyToTenancy(RoutingContext ctx) {
        String requestId = requestId(ctx);
        ctx.response().putHeader(SERVED_BY, config.region());
        MultiMap headers = Forwarder.passOn(ctx.request().headers(), Set.of("x-meridian-"));
        headers.set(MeridianHeaders.REQUEST_ID, requestId);
        String target = PathGuard.target(config.tenancyUrl(), ctx.normalizedPath(), ctx);
        forwarder.forward(ctx, target, headers, Map.of(SERVED_BY, config.region()), () -> {
            var problem = Problem.of(503, "Service Unavailable", "The management API did not answer. Retry in a few"
                    + " seconds.").withInstance(ctx.normalizedPath());
            ctx.response().putHeader("Retry-After", "1");
            write(ctx, 503, Problem.MEDIA_TYPE, problem);
        });
    }

    /** The client's request id when it sent a usable one, else a new one; echoed in the answer either way. */
    static String requestId(RoutingContext ctx) {
        String id = ctx.request().getHeader(MeridianHeaders.REQUEST_ID);
        if (id == null || id.isBlank() || id.length() > MAX_REQUEST_ID_LENGTH || !printable(id)) {
            var random = ThreadLocalRandom.current(); // an id needs to be unique, not secret
            id = new UUID(random.nextLong() & ~0xF000L | 0x4000L,
                    random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L).toString();
        }
        ctx.response().putHeader(MeridianHeaders.REQUEST_ID, id);
        CallContext.requestId(id);
        return id;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code then} once {@code stage} completes, on the request's own Vert.x context: at once when it already
     * has (a cache hit), else back on the request's event loop, whichever thread completed it.
     */
    static <T> void onRequestContext(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        Context context = Vertx.currentContext();
        stage.whenComplete((value, failure) -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (context == null || Vertx.currentContext() == context) {
                then.accept(value, cause);
            } else {
                context.runOnContext(ignored -> then.accept(value, cause));
            }
        });
    }


    private void error(RoutingContext ctx, Verdict verdict) {
        respond(ctx, verdict.status(), verdict.error());
    }

    private void ok(RoutingContext ctx, Object body) {
        write(ctx, 200, JSON, body);
    }

    private void respond(RoutingContext ctx, int status, OpenAiError error) {
        metrics.refused(status, error.error().code());
        write(ctx, status, JSON, error);
    }

    private void write(RoutingContext ctx, int status, String contentType, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", contentType)
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(500, e);
        }
    }
}
