package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/*} needs a Keycloak token before anything reaches tenancy. Tenancy is not running here, so a call that
 * passes the gateway's check ends in the gateway's own 503.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ManagementApiProxyIT {

    @Test
    void callWithoutATokenIs401SayingHowToGetOne() {
        given().get("/api/v1/tenants").then()
                .statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("status", equalTo(401))
                .body("detail", containsString("Authorization: Bearer"));
    }

    @Test
    void callWithAForgedTokenIs401() {
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").get("/api/v1/tenants").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString("not accepted"));
    }

    @Test
    void anApiKeyIsNoTokenForTheManagementApi() {
        given().auth().oauth2("mk_AAAAAAAAAAAA_" + "a".repeat(43)).get("/api/v1/tenants").then()
                .statusCode(401)
                .body("detail", containsString("API keys work on /v1 only"))
                .body("detail", not(containsString("aaaaaaaa")));
    }

    @Test
    void callWithAValidTokenIsPassedToTenancy() {
        String token = TestStack.get().serviceToken("meridian-partner");
        given().auth().oauth2(token).get("/api/v1/tenants").then()
                .statusCode(503)
                .contentType("application/problem+json")
                .body("status", equalTo(503))
                .header("X-Meridian-Served-By", equalTo("eu-central"));
    }

    @Test
    void regionsDirectoryNeedsNoToken() {
        given().get("/api/v1/regions").then()
                .statusCode(503)
                .contentType("application/problem+json");
    }
}
