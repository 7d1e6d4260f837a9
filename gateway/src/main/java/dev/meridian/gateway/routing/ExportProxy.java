package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.Problem;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.CallerIdentity;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.KeyRecord;
import dev.meridian.gateway.config.GatewayConfig;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Tenant data exports ({@code /api/v1/tenants/{t}/exports[/{id}[/archive]]}): served by the models service of the
 * tenant's home region, where the tenant's content is and the archive is built and kept. A signed-in member's Keycloak
 * token is checked by Quarkus' HTTP security; tenancy says whether they are a member and in which role (only owners
 * pass: others 403, non-members 404, as tenancy answers). At the home region's gateway the call goes to its models
 * service with the gateway's service token and the member's identity ({@code X-Meridian-Tenant-Id}, the membership id
 * as {@code -Key-Id}, {@code -Member-Role}); elsewhere it goes to the home gateway's {@code /internal/forward} as any
 * forwarded call, under the same transit and sovereignty rules ({@link RegionBoundary}). Refusals are problem+json, as
 * on the rest of {@code /api}.
 */
@ApplicationScoped
public class ExportProxy {

    /** The export routes; the first group is the tenant. */
    static final String ROUTES = "/api/v1/tenants/([^/]+)/exports(/[^/]+(/archive)?)?";
    static final String OWNER = "owner";
    private static final java.util.regex.Pattern ROUTE = java.util.regex.Pattern.compile(ROUTES);

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
        // Before the generic /api/* proxy to tenancy and the generic forward route.
        router.routeWithRegex(ROUTES).order(-10).handler(body).handler(this::export);
        router.routeWithRegex(GatewayRoutes.FORWARD_PREFIX + ROUTES).order(-10).handler(body)
                .handler(this::forwarded);
    }

    private void export(RoutingContext ctx) {
        String requestId = GatewayRoutes.requestId(ctx);
        ctx.response().putHeader(GatewayRoutes.SERVED_BY, config.region());
        UUID tenant = tenantOf(ctx.normalizedPath());
        if (tenant == null) {
            problem(ctx, 404, "Not Found", "No such tenant: the path must name a tenant id (GET /api/v1/tenants"
                    + " lists yours).");
            return;
        }
        var identity = QuarkusHttpUser.getSecurityIdentity(ctx, null);
        if (identity == null) {
            problem(ctx, 401, "Unauthorized", "Sign in: send a Keycloak access token as 'Authorization: Bearer"
                    + " <token>'.");
            return;
        }
        Context context = Vertx.currentContext();
        identity.subscribe().with(id -> context.runOnContext(x -> signedIn(ctx, tenant, id, requestId)),
                failure -> context.runOnContext(x -> signedIn(ctx, tenant, null, requestId)));
    }

    private void signedIn(RoutingContext ctx, UUID tenant, SecurityIdentity identity, String requestId) {
        if (ctx.response().headWritten()) {
            return; // Quarkus' authentication already refused the token
        }
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || jwt.getSubject() == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            problem(ctx, 401, "Unauthorized", "The access token is not valid (expired, or not issued by Meridian's"
                    + " Keycloak for audience meridian-api). Sign in again through the console.");
            return;
        }
        GatewayRoutes.onRequestContext(keys.findMember(tenant, jwt.getSubject(), ctx.request().remoteAddress()), (found, failure) -> {
            if (failure != null) {
                ctx.response().putHeader("Retry-After", "1");
                problem(ctx, 503, "Service Unavailable", "Meridian could not check your membership just now."
                        + " Retry in a few seconds.");
            } else if (found.isEmpty()) {
                problem(ctx, 404, "Not Found", "No tenant " + tenant + " among yours (GET /api/v1/tenants lists"
                        + " them).");
            } else if (!OWNER.equals(found.get().role())) {
                problem(ctx, 403, "Forbidden", "Only an owner of the tenant may export its data; your role is "
                        + found.get().role() + ". Ask an owner to export it, or to make you one.");
            } else {
                owner(ctx, found.get(), requestId);
            }
        });
    }

    private void owner(RoutingContext ctx, KeyRecord member, String requestId) {
        var caller = new CallerIdentity(member.tenantId().toString(), member.keyId().toString(), member.scopes(),
                config.region());
        if (config.region().equals(member.homeRegion())) {
            toModels(ctx, caller, member.role(), ctx.normalizedPath(), requestId);
            return;
        }
        var sealed = RegionBoundary.outbound(config.region(), config.sovereign(), member);
        if (sealed.isPresent()) {
            problem(ctx, 421, "Misdirected Request", sealed.get().error().message());
            return;
        }
        if (!member.transitAllowed() || member.homeGatewayUrl() == null || member.homeGatewayUrl().isBlank()) {
            problem(ctx, 421, "Misdirected Request", "Your organization is homed in " + member.homeRegion()
                    + " and does not allow its calls to pass through other regions. Call " + (member.homeGatewayUrl()
                    == null ? "the " + member.homeRegion() + " gateway" : member.homeGatewayUrl()) + " instead.");
            return;
        }
        withToken(ctx, token -> {
            MultiMap headers = CallerHeaders.toHomeGateway(ctx.request().headers(), caller, token, requestId,
                    config.region());
            headers.set(MeridianHeaders.MEMBER_ROLE, member.role());
            String target = PathGuard.target(member.homeGatewayUrl(),
                    GatewayRoutes.FORWARD_PREFIX + ctx.normalizedPath(), ctx);
            forwarder.forward(ctx, target, headers, Map.of(), () -> problem(ctx, 502, "Bad Gateway", "Your home"
                    + " region " + member.homeRegion() + " did not answer. Retry, or call " + member.homeGatewayUrl()
                    + " directly."));
        });
    }

    /** At the home region's gateway: an owner's call another region's gateway checked and forwarded. */
    private void forwarded(RoutingContext ctx) {
        String requestId = GatewayRoutes.requestId(ctx);
        ctx.response().putHeader(GatewayRoutes.SERVED_BY, config.region());
        var h = ctx.request().headers();
        String from = h.get(MeridianHeaders.FORWARDED_BY);
        if (config.region().equals(from)) {
            problem(ctx, 508, "Loop Detected", "The " + config.region() + " gateway received a call it forwarded"
                    + " itself; an operator must correct the gateway URL tenancy lists for this region.");
            return;
        }
        var sealed = RegionBoundary.inbound(config.region(), config.sovereign(), from);
        if (sealed.isPresent()) {
            problem(ctx, 421, "Misdirected Request", sealed.get().error().message());
            return;
        }
        Optional<Caller> asserted;
        try {
            asserted = Caller.parse(h::get);
        } catch (ApiException malformed) {
            problem(ctx, 400, "Bad Request", "A forwarded call's caller headers are malformed: "
                    + malformed.getMessage());
            return;
        }
        String path = ctx.normalizedPath().substring(GatewayRoutes.FORWARD_PREFIX.length());
        String role = h.get(MeridianHeaders.MEMBER_ROLE);
        if (asserted.isEmpty() || asserted.get().keyId().isEmpty() || role == null
                || !asserted.get().tenantId().equals(tenantOf(path))) {
            problem(ctx, 400, "Bad Request", "A forwarded export call must carry " + MeridianHeaders.TENANT_ID
                    + " (the tenant of its path), " + MeridianHeaders.KEY_ID + " and " + MeridianHeaders.MEMBER_ROLE
                    + ".");
            return;
        }
        Caller c = asserted.get();
        var caller = new CallerIdentity(c.tenantId().toString(), c.keyId().get().toString(),
                c.scopes().stream().map(s -> s.wireName()).sorted().toList(), c.region().orElse(from));
        toModels(ctx, caller, role, path, requestId);
    }

    /** Hands the call to this region's models service, the tenant's home: its exports are built and kept there. */
    private void toModels(RoutingContext ctx, CallerIdentity caller, String role, String path, String requestId) {
        if (config.modelsUrl().isEmpty()) {
            problem(ctx, 404, "Not Found", "Exports are not served by the " + config.region() + " gateway: it has"
                    + " no models service.");
            return;
        }
        withToken(ctx, token -> {
            MultiMap headers = CallerHeaders.onBehalfOf(ctx.request().headers(), caller, token, requestId);
            headers.set(MeridianHeaders.HOME_REGION, config.region());
            headers.set(MeridianHeaders.MEMBER_ROLE, role);
            forwarder.forward(ctx, PathGuard.target(config.modelsUrl().get(), path, ctx), headers,
                    Map.of(GatewayRoutes.SERVED_BY, config.region()), () -> {
                        ctx.response().putHeader("Retry-After", "1");
                        problem(ctx, 503, "Service Unavailable", "The models service of " + config.region()
                                + ", which keeps your exports, did not answer. Retry in a few seconds.");
                    });
        });
    }

    private void withToken(RoutingContext ctx, java.util.function.Consumer<String> then) {
        GatewayRoutes.onRequestContext(serviceToken.get().subscribeAsCompletionStage(), (token, failure) -> {
            if (failure != null) {
                ctx.response().putHeader("Retry-After", "1");
                problem(ctx, 503, "Service Unavailable", "Meridian could not authorise the call to the service that"
                        + " keeps your exports just now. Retry in a few seconds.");
                return;
            }
            then.accept(token);
        });
    }

    /** The tenant a (forward-less) export path names, or null when it is not a tenant id. */
    static UUID tenantOf(String path) {
        var m = ROUTE.matcher(path);
        if (!m.matches()) {
            return null;
        }
        try {
            return UUID.fromString(m.group(1));
        } catch (IllegalArgumentException e) {
            return null;
        }
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
