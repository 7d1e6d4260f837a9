package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

import dev.meridian.stack.OidcBrowser;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;

/** The platform operator (realm role {@code platform-admin}) from the imported realm, logged in through Keycloak. */
final class Operator {

    private static String token;

    private Operator() {
    }

    static synchronized String token() {
        if (token == null) {
            var p = SystemUnderTest.platform();
            token = OidcBrowser.login(p.keycloakUrl(), "operator@meridian.local",
                    p.secrets().get("MERIDIAN_OPERATOR_PASSWORD")).accessToken();
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
