package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

import dev.meridian.stack.OidcBrowser;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A partner with its one credential at both regions' gateways: it creates customer tenants in us-east and
 * eu-central, a key for each that works in its home region, calls /v1 for them with its own token, reads their
 * usage, and gets 404 for a tenant it neither owns nor was granted, at both gateways; a customer's grant opens its
 * tenant to the partner until the customer revokes it. Revoking the credential stops it within a second everywhere.
 */
class PartnerIT {

    @Test
    void aPartnerRunsTenantsInBothRegionsWithOneCredentialAndNothingElse() {
        String partner = operator().body(Map.of("name", "Globex Integrations", "contact_email",
                        "ops@globex.example", "regions", List.of("us-east", "eu-central"), "programme", "referral",
                        "share_bp", 1500, "plans", List.of("free", "payg", "subscription")))
                .post("/api/v1/partners").then().statusCode(201).extract().path("id");
        JsonPath credential = operator().body(Map.of("name", "integration"))
                .post("/api/v1/partners/{p}/credentials", partner).then().statusCode(201).extract().jsonPath();
        String token = OidcBrowser.clientCredentials(SystemUnderTest.platform().keycloakUrl(),
                credential.getString("client_id"), credential.getString("client_secret")).accessToken();

        // one tenant per region, each created at the other region's gateway: the control plane is one
        String us = as(token, SystemUnderTest.eu()).body(Map.of("name", "US customer", "home_region", "us-east"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(201).extract().path("id");
        String eu = as(token, SystemUnderTest.us()).body(Map.of("name", "EU customer", "home_region", "eu-central"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(201).extract().path("id");
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(200)
                    .body("data", hasSize(2));
        }

        // a key for each, which its customer's programs use; calls go to the tenant's home region
        for (var tenant : Map.of(us, "us-east", eu, "eu-central").entrySet()) {
            String key = as(token, SystemUnderTest.eu()).body(Map.of("name", "customer", "scopes",
                            List.of("inference")))
                    .post("/api/v1/tenants/{t}/api-keys", tenant.getKey()).then().statusCode(201).extract()
                    .path("key");
            for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
                given().baseUri(gateway).auth().oauth2(key).contentType(ContentType.JSON)
                        .body(Map.of("model", "all-minilm-l6-v2", "input", "from a partner's customer"))
                        .post("/v1/embeddings").then().statusCode(200)
                        .header("X-Meridian-Served-By", equalTo(tenant.getValue()));
                // and the partner's own token works on /v1 for the tenant, at either gateway
                as(token, gateway).header("OpenAI-Organization", tenant.getKey())
                        .body(Map.of("model", "all-minilm-l6-v2", "input", "from the partner"))
                        .post("/v1/embeddings").then().statusCode(200)
                        .header("X-Meridian-Served-By", equalTo(tenant.getValue()));
            }
        }

        // it reads their usage through billing, which asks tenancy whether the caller may
        await("the partner sees its tenant's usage").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> as(token, SystemUnderTest.us()).queryParam("tenant_id", us)
                        .get("/api/v1/billing/usage").then().statusCode(200).extract()
                        .jsonPath().getList("data").size() > 0);

        // billing's side: a closed month's statements, one per currency its owned tenants are billed in (an operator
        // closes them here; the period job does after each month), read by the partner at either gateway; and its
        // tenants' plans, from its price list only, which tenancy's copy follows
        String month = "2025-06";
        operator().body(Map.of("period", month)).post("/api/v1/billing/admin/partners/{p}/statements/close", partner)
                .then().statusCode(200).body("data.currency", contains("EUR", "USD"));
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).queryParam("period", month).get("/api/v1/partners/{p}/statements", partner).then()
                    .statusCode(200).body("data.currency", contains("EUR", "USD"))
                    .body("data[0].lines.tenant_id", contains(eu)).body("data[1].lines.tenant_id", contains(us))
                    .body("data.amount_direction", everyItem(equalTo("payable_to_partner")));
        }
        as(token, SystemUnderTest.eu()).body(Map.of("plan", "enterprise"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", partner, us).then().statusCode(400);
        as(token, SystemUnderTest.eu()).body(Map.of("plan", "subscription"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", partner, us).then().statusCode(200)
                .body("plan", equalTo("subscription"));
        await("tenancy follows billing's plan").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "subscription".equals(as(token, SystemUnderTest.us()).get("/api/v1/tenants/{t}", us)
                        .then().statusCode(200).extract().path("plan")));

        // nothing else: a customer's own tenant and another partner's are 404 at both gateways, on /api and /v1
        var customer = ConsoleUser.signUp();
        String notOwned = customer.createTenant("Independent", "us-east");
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).get("/api/v1/tenants/{t}", notOwned).then().statusCode(404);
            as(token, gateway).get("/api/v1/tenants/{t}/api-keys", notOwned).then().statusCode(404);
            as(token, gateway).queryParam("tenant_id", notOwned).get("/api/v1/billing/usage").then()
                    .statusCode(404);
            as(token, gateway).header("OpenAI-Organization", notOwned).get("/v1/models").then().statusCode(403)
                    .body("error.code", equalTo("not_a_member"));
            as(token, gateway).body(Map.of("plan", "payg"))
                    .put("/api/v1/partners/{p}/tenants/{t}/plan", partner, notOwned).then().statusCode(404);
        }

        // until the customer grants the partner access (consent, with a role), and only while the grant lasts
        customer.api().body(Map.of("partner_id", partner, "role", "developer"))
                .post("/api/v1/tenants/{t}/partner-grants", notOwned).then().statusCode(201);
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).get("/api/v1/tenants/{t}", notOwned).then().statusCode(200)
                    .body("role", equalTo("developer"));
            // the gateway remembered the refusal above; the grant's event makes it forget within a second
            await("the grant reaches " + gateway).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> as(token, gateway).header("OpenAI-Organization", notOwned).get("/v1/models")
                            .statusCode() == 200);
            as(token, gateway).header("OpenAI-Organization", notOwned)
                    .body(Map.of("model", "all-minilm-l6-v2", "input", "helping a customer"))
                    .post("/v1/embeddings").then().statusCode(200)
                    .header("X-Meridian-Served-By", equalTo("us-east"));
        }
        customer.api().delete("/api/v1/tenants/{t}/partner-grants/{p}", notOwned, partner).then().statusCode(200);
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).get("/api/v1/tenants/{t}", notOwned).then().statusCode(404);
            await("the grant's revocation reaches " + gateway).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> as(token, gateway).header("OpenAI-Organization", notOwned).get("/v1/models")
                            .statusCode() == 403);
        }

        // revoked: refused on /api at once and on /v1 within a second, at every gateway
        operator().post("/api/v1/partners/{p}/credentials/{c}/revoke", partner, credential.getString("id")).then()
                .statusCode(200);
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(token, gateway).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(401);
            await("the revocation reaches " + gateway).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> as(token, gateway).header("OpenAI-Organization", us).get("/v1/models")
                            .statusCode() == 403);
        }
    }

    @Test
    void thePlatformStartsWithADemoPartnerWhoseCredentialWorks() throws Exception {
        var env = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(SystemUnderTest.platform().stateDir()
                .resolve("dev.env"))) {
            env.load(in);
        }
        String partner = env.getProperty("MERIDIAN_DEMO_PARTNER_ID");
        String token = OidcBrowser.clientCredentials(SystemUnderTest.platform().keycloakUrl(),
                env.getProperty("MERIDIAN_DEMO_PARTNER_CLIENT_ID"),
                env.getProperty("MERIDIAN_DEMO_PARTNER_CLIENT_SECRET")).accessToken();
        as(token, SystemUnderTest.us()).get("/api/v1/partners/{p}", partner).then().statusCode(200)
                .body("name", equalTo("Demo Partner"));
    }

    private static RequestSpecification operator() {
        return as(Operator.token(), SystemUnderTest.eu());
    }

    private static RequestSpecification as(String token, String gateway) {
        return given().baseUri(gateway).auth().oauth2(token).contentType(ContentType.JSON);
    }
}
