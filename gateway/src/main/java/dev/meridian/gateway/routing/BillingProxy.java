package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.apikey.Scope;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.error.Problem;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.CallerIdentity;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.Verdict;
import dev.meridian.gateway.config.GatewayConfig;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code /api/v1/billing/*} and the partner routes billing serves ({@link #PARTNER_ROUTES}), proxied to the billing
 * service ({@code meridian.gateway.billing-url}). Two kinds of caller: a console user or a partner credential with a
 * Keycloak token (validated here, then passed on unchanged for billing to check the caller's role in the tenant or
 * partner), or a program with an API key that has the {@code billing:read} scope (checked here; billing then gets the
 * gateway's service token and the caller's {@code X-Meridian-Tenant-Id}, {@code -Key-Id} and {@code -Scopes}, never
 * the key). API keys may only read, and never reach partner routes: those are under {@code /api/*}, where Quarkus'
 * HTTP security admits only Keycloak tokens. Refusals are problem+json, as on the rest of {@code /api}.
 */
@ApplicationScoped
public class BillingProxy {

    static final String PREFIX = "/api/v1/billing";
    /**
     * The partner routes billing serves under tenancy's {@code /api/v1/partners/{p}}: statements and the plans of the
     * partner's tenants. The rest of {@code /api/v1/partners} is tenancy's.
     */
    static final String PARTNER_ROUTES = "/api/v1/partners/[^/]+/(statements(/[^/]*)?|tenants/[^/]+/plan)";

    @Inject
    GatewayConfig config;
    @Inject
    KeyDirectory keys;
    @Inject
    ServiceToken serviceToken;
    @Inject
    Forwarder forwarder;
    @Inject
    ObjectMapper json;

    void routes(@Observes Router router) {
        var body = BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
        // Before the generic /api/* proxy to tenancy.
        router.route(PREFIX + "/*").order(-10).handler(body).handler(this::billing);
        router.route(PREFIX).order(-10).handler(body).handler(this::billing);
        router.routeWithRegex(PARTNER_ROUTES).order(-10).handler(body).handler(this::billing);
    }

    private void billing(RoutingContext ctx) {
        String requestId = GatewayRoutes.requestId(ctx);
        ctx.response().putHeader(GatewayRoutes.SERVED_BY, config.region());
        if (config.billingUrl().isEmpty()) {
            problem(ctx, 404, "Not Found", "Billing is not available on this gateway.");
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip() : null;
        if (presented == null || presented.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            problem(ctx, 401, "Unauthorized", "The billing API needs an 'Authorization: Bearer' header with a console"
                    + " (Keycloak) access token, or an API key with the billing:read scope.");
            return;
        }
        Optional<String> prefix = ApiKeySecret.prefixOf(presented);
        if (prefix.isPresent()) {
            withApiKey(ctx, presented, prefix.get(), requestId);
        } else {
            withUserToken(ctx, requestId);
        }
    }

    private void withApiKey(RoutingContext ctx, String presented, String prefix, String requestId) {
        onContext(ctx, keys.find(prefix).handle((found, failure) -> failure == null
                ? Optional.of(Verdict.of(presented, found, Instant.now())) : Optional.<Verdict>empty()), verdict -> {
            if (verdict.isEmpty()) {
                ctx.response().putHeader("Retry-After", "1");
                problem(ctx, 503, "Service Unavailable", "Meridian could not check your API key just now. Retry in a"
                        + " few seconds.");
                return;
            }
            Verdict v = verdict.get();
            if (!v.allowed()) {
                problem(ctx, v.status(), v.status() == 401 ? "Unauthorized" : "Forbidden", v.error().error().message());
                return;
            }
            if (!v.key().scopes().contains(Scope.BILLING_READ.wireName())) {
                problem(ctx, 403, "Forbidden", "This API key lacks the scope billing:read that the billing API needs."
                        + " Use a key with that scope, or sign in to the console.");
                return;
            }
            HttpMethod m = ctx.request().method();
            if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
                problem(ctx, 403, "Forbidden", "API keys may only read billing (billing:read). Change budgets, plans"
                        + " and credits in the console.");
                return;
            }
            var caller = new CallerIdentity(v.key().tenantId().toString(), v.key().keyId().toString(),
                    v.key().scopes(), config.region());
            onContext(ctx, serviceToken.get().subscribeAsCompletionStage().handle((token, failure) -> Optional.ofNullable(token)), token -> {
                if (token.isEmpty()) {
                    unavailable(ctx);
                    return;
                }
                MultiMap headers = CallerHeaders.onBehalfOf(ctx.request().headers(), caller, token.get(),
                        requestId);
                forward(ctx, headers);
            });
        });
    }

    /** A console user's Keycloak token: validated by Quarkus' OIDC here, then passed on for billing to check. */
    private void withUserToken(RoutingContext ctx, String requestId) {
        var identity = QuarkusHttpUser.getSecurityIdentity(ctx, null);
        if (identity == null) {
            problem(ctx, 401, "Unauthorized", "The access token could not be checked.");
            return;
        }
        Context context = Vertx.currentContext();
        identity.subscribe().with(id -> context.runOnContext(x -> userChecked(ctx, id, requestId)),
                failure -> context.runOnContext(x -> userChecked(ctx, null, requestId)));
    }

    private void userChecked(RoutingContext ctx, SecurityIdentity identity, String requestId) {
        if (ctx.response().headWritten()) {
            return; // Quarkus' authentication already refused the token (worded by TokenErrors)
        }
        if (identity == null || identity.isAnonymous()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            problem(ctx, 401, "Unauthorized", "The access token is not valid (expired, or not issued by Meridian's"
                    + " Keycloak for audience meridian-api). Sign in again through the console.");
            return;
        }
        MultiMap headers = Forwarder.passOn(ctx.request().headers(), Set.of("x-meridian-"));
        headers.set(MeridianHeaders.REQUEST_ID, requestId);
        forward(ctx, headers);
    }

    private void forward(RoutingContext ctx, MultiMap headers) {
        String target = PathGuard.target(config.billingUrl().orElseThrow(), ctx.normalizedPath(), ctx);
        forwarder.forward(ctx, target, headers, Map.of(GatewayRoutes.SERVED_BY, config.region()),
                () -> unavailable(ctx));
    }

    private void unavailable(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "1");
        problem(ctx, 503, "Service Unavailable", "The billing API did not answer. Retry in a few seconds.");
    }

    private static <T> void onContext(RoutingContext ctx, java.util.concurrent.CompletionStage<T> stage,
            Consumer<T> then) {
        Context context = Vertx.currentContext();
        stage.whenComplete((value, failure) -> {
            if (context == null || Vertx.currentContext() == context) {
                then.accept(value);
            } else {
                context.runOnContext(x -> then.accept(value));
            }
        });
    }

    private void problem(RoutingContext ctx, int status, String title, String detail) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .end(json.writeValueAsString(Problem.of(status, title, detail).withInstance(ctx.normalizedPath())));
        } catch (JsonProcessingException e) {
            ctx.fail(500, e);
        }
    }
}
