package dev.meridian.systemtests;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Any gateway accepts any valid key and serves the tenant from its home region, or refuses clearly. */
class RegionRoutingIT {

    @Test
    void demoKeyFromPlatformUpWorksOnBothGateways() {
        String demoKey = SystemUnderTest.platform().demoApiKey();
        Gateways.listModels(SystemUnderTest.eu(), demoKey).then().statusCode(200);
        Gateways.listModels(SystemUnderTest.us(), demoKey).then().statusCode(200);
    }

    @Test
    void badKeyGetsOpenAiStyleErrorBodyOnBothGateways() {
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Gateways.listModels(gateway, "mk_AAAAAAAAAAAA_" + "x".repeat(43)).then()
                    .statusCode(401)
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.type", notNullValue())
                    .body("error.message", containsString("mk_AAAAAAAAAAAA_..."))
                    .body("error.message", org.hamcrest.Matchers.not(containsString("x".repeat(20))));
            RestAssured.given().baseUri(gateway).get("/v1/models").then()
                    .statusCode(401)
                    .body("error.code", equalTo("missing_api_key"));
        }
    }

    @Test
    void callsForATenantHomedElsewhereAreServedByItsHomeRegion() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Transatlantic", "us-east");
        String key = user.createKeySecret(tenant, List.of("models"));

        // Through the eu-central gateway, answered by us-east (which the request id echo and the region header show).
        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200)
                .header("X-Meridian-Served-By", equalTo("us-east"));
        Gateways.listModels(SystemUnderTest.us(), key).then().statusCode(200)
                .header("X-Meridian-Served-By", equalTo("us-east"));
    }

    @Test
    void tenantThatForbidsTransitIsToldWhichGatewayToUse() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Resident", "eu-central");
        user.api().body(Map.of("transit_allowed", false)).patch("/api/v1/tenants/{t}", tenant)
                .then().statusCode(200).body("transit_allowed", equalTo(false));
        String key = user.createKeySecret(tenant, List.of("models"));

        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        Gateways.listModels(SystemUnderTest.us(), key).then()
                .statusCode(421)
                .body("error.code", equalTo("wrong_region"))
                .body("error.message", containsString(SystemUnderTest.eu()));
    }

    @Test
    void forgedTenantHeadersFromAClientAreIgnored() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Forger", "eu-central");
        RestAssured.given().baseUri(SystemUnderTest.eu())
                .header("X-Meridian-Tenant-Id", tenant)
                .header("X-Meridian-Forwarded-By", "us-east")
                .get("/v1/models")
                .then().statusCode(401);
    }

    @Test
    void forwardedCallsAreAcceptedOnlyFromAnotherGatewaysServiceAccount() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Impostor", "eu-central");
        var forged = RestAssured.given().baseUri(SystemUnderTest.eu())
                .header("X-Meridian-Tenant-Id", tenant)
                .header("X-Meridian-Key-Id", java.util.UUID.randomUUID().toString())
                .header("X-Meridian-Scopes", "models");
        forged.get("/internal/forward/v1/models").then().statusCode(401);
        // a person's token is a valid Keycloak token, but not a gateway's
        forged.auth().oauth2(user.accessToken()).get("/internal/forward/v1/models").then().statusCode(403);
    }
}
