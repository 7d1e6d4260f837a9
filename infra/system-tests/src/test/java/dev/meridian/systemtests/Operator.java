package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

import dev.meridian.stack.OidcBrowser;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The platform operator (realm role {@code platform-admin}) from the imported realm, logged in through Keycloak. */
final class Operator {

    /** Time a test may still spend on a token it is handed; a shorter-lived one is replaced first. */
    private static final Duration TOKEN_USE = Duration.ofSeconds(60);

    private static String token;
    private static Instant tokenExpiresAt = Instant.MIN;

    private Operator() {
    }

    /**
     * The operator's access token, logged in again when it would expire within {@link #TOKEN_USE}: the test classes
     * share one JVM for longer than the realm's access token lifespan (5 minutes).
     */
    static synchronized String token() {
        if (Instant.now().plus(TOKEN_USE).isAfter(tokenExpiresAt)) {
            var p = SystemUnderTest.platform();
            Instant requested = Instant.now();
            var tokens = OidcBrowser.login(p.keycloakUrl(), "operator@meridian.local",
                    p.secrets().get("MERIDIAN_OPERATOR_PASSWORD"));
            token = tokens.accessToken();
            tokenExpiresAt = requested.plusSeconds(tokens.expiresIn());
        }
        return token;
    }

    static Response post(String path, Object... params) {
        return given().baseUri(SystemUnderTest.eu()).auth().oauth2(token()).contentType(ContentType.JSON)
                .body("{}").post(path, params);
    }

    /**
     * Sets the tenant's plan in billing, which owns plans; {@code homeRegion} opens the tenant's billing account if
     * billing has none yet.
     */
    static void setPlan(String tenantId, String plan, String homeRegion) {
        given().baseUri(SystemUnderTest.eu()).auth().oauth2(token()).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "region", homeRegion))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenantId)
                .then().statusCode(200);
    }
}
