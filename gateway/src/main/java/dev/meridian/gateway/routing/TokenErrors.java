package dev.meridian.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.common.error.Problem;
import dev.meridian.gateway.apikeys.Verdict;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Bodies for the answers Quarkus' HTTP security gives on the Keycloak-protected routes, which it would otherwise send
 * empty: {@code /api/*} gets a problem+json like the rest of the management API, {@code /internal/forward/*} an
 * OpenAI error, since a home gateway's refusal is relayed to a {@code /v1} client. Who may call what stays in the
 * {@code quarkus.http.auth.permission.*} settings; this only words the refusals.
 */
@ApplicationScoped
public class TokenErrors {

    /** Runs before Quarkus' authentication (priority 200) so a call without any token is answered here. */
    static final int BEFORE_AUTHENTICATION = 250;
    private static final String PUBLIC_API_PATH = "/api/v1/regions";

    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    String realmUrl;

    void missingTokens(@Observes Filters filters) {
        filters.register(this::requireToken, BEFORE_AUTHENTICATION);
    }

    void refusedTokens(@Observes Router router) {
        router.route("/api/*").order(-1).failureHandler(ctx -> refused(ctx, true));
        router.route(GatewayRoutes.FORWARD_PREFIX + "/*").order(-1).failureHandler(ctx -> refused(ctx, false));
        // a signed-in member's token on /v1 (GatewayRoutes checks it only when no API key is sent)
        router.route("/v1/*").order(-1).failureHandler(this::refusedSignIn);
        router.route("/v2/*").order(-1).failureHandler(this::refusedSignIn);
    }

    private void refusedSignIn(RoutingContext ctx) {
        if (!(ctx.failure() instanceof AuthenticationFailedException) || ctx.response().ended()) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        write(ctx, 401, "application/json", Verdict.invalidToken().error());
    }

    private void requireToken(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean api = path.startsWith("/api/") && !path.equals(PUBLIC_API_PATH);
        boolean forward = path.startsWith(GatewayRoutes.FORWARD_PREFIX + "/");
        if ((!api && !forward) || hasBearer(ctx)) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        if (api) {
            problem(ctx, 401, "Unauthorized", "This endpoint needs a Keycloak access token in an 'Authorization:"
                    + " Bearer <token>' header. Sign in through the console, or get a token from " + realmUrl
                    + "/protocol/openid-connect/token.");
        } else {
            openAi(ctx, 401, "Only Meridian gateways may forward calls here, with their service token in an"
                    + " 'Authorization: Bearer <token>' header.");
        }
    }

    private void refused(RoutingContext ctx, boolean api) {
        Throwable failure = ctx.failure();
        boolean unauthenticated = failure instanceof AuthenticationFailedException;
        boolean forbidden = failure instanceof ForbiddenException || (failure == null && ctx.statusCode() == 403);
        if (!unauthenticated && !forbidden || ctx.response().ended()) {
            ctx.next();
            return;
        }
        if (unauthenticated) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            String bearer = ctx.request().getHeader("Authorization");
            boolean apiKey = bearer != null && bearer.regionMatches(true, 0, "Bearer mk_", 0, 10);
            if (api) {
                problem(ctx, 401, "Unauthorized", apiKey
                        ? "API keys work on /v1 only; the management API needs a Keycloak access token. Sign in"
                                + " through the console, or get a token from " + realmUrl
                                + "/protocol/openid-connect/token."
                        : "The access token was not accepted: it is expired, malformed, not issued by " + realmUrl
                                + ", or not meant for audience meridian-api. Get a new token and retry.");
            } else {
                openAi(ctx, 401, "The forwarding token was not accepted: it is expired, malformed or not issued by"
                        + " the Meridian realm.");
            }
        } else if (api) {
            problem(ctx, 403, "Forbidden", "Your token is valid but does not allow this call.");
        } else {
            openAi(ctx, 403, "The token is valid but lacks the realm role service-gateway that only Meridian's"
                    + " gateways hold; calls are forwarded here only by other regions' gateways.");
        }
    }

    private static boolean hasBearer(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7;
    }

    private void problem(RoutingContext ctx, int status, String title, String detail) {
        write(ctx, status, Problem.MEDIA_TYPE, Problem.of(status, title, detail).withInstance(ctx.normalizedPath()));
    }

    private void openAi(RoutingContext ctx, int status, String message) {
        write(ctx, status, "application/json", OpenAiError.of(status == 401 ? "invalid_request_error"
                : "permission_error", status == 401 ? "invalid_service_token" : "not_a_gateway", message));
    }

    private void write(RoutingContext ctx, int status, String contentType, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", contentType)
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(status).end();
        }
    }
}
