package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import dev.meridian.stack.OidcBrowser;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Partners against the real Keycloak: an operator creates a partner and a credential (a Keycloak client tenancy
 * creates through the admin API); the partner's client-credentials token creates tenants in the regions it may sell
 * in and acts on them, and on nothing else; a revoked credential is refused at once.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class PartnersIT {

    private static String operator() {
        return TestStack.get().operatorToken();
    }

    private static String newPartner(String name) {
        return as(operator()).body(Map.of("name", name, "contact_email",
                        "ops@" + name.toLowerCase().replaceAll("[^a-z]", "") + ".example",
                        "regions", List.of("us-east", "eu-central"), "programme", "reseller", "discount_bp", 2000))
                .post("/api/v1/partners").then().statusCode(201)
                .body("regions", equalTo(List.of("eu-central", "us-east")))
                .body("programme", equalTo("reseller"))
                .extract().path("id");
    }

    /** A credential of the partner and a token from it (client credentials at Keycloak). */
    private static JsonPath credential(String partner) {
        return as(operator()).body(Map.of("name", "integration"))
                .post("/api/v1/partners/{p}/credentials", partner).then().statusCode(201)
                .body("client_secret", notNullValue())
                .body("token_url", containsString("/protocol/openid-connect/token"))
                .extract().jsonPath();
    }

    private static String tokenOf(JsonPath credential) {
        return OidcBrowser.clientCredentials(TestStack.get().keycloakUrl(), credential.getString("client_id"),
                credential.getString("client_secret")).accessToken();
    }

    @Test
    void onlyOperatorsCreatePartnersAndABadRequestSaysWhatToFix() {
        as(newUser().accessToken()).body(Map.of("name", "Sneaky", "contact_email", "a@b.example", "regions",
                List.of("us-east"), "programme", "referral", "share_bp", 1000))
                .post("/api/v1/partners").then().statusCode(403)
                .body("detail", containsString("platform-admin"));
        as(operator()).body(Map.of("name", "Nowhere", "contact_email", "a@b.example", "regions",
                List.of("mars-1"), "programme", "referral", "share_bp", 1000))
                .post("/api/v1/partners").then().statusCode(400)
                .body("detail", containsString("unknown region(s) mars-1"));
        as(operator()).body(Map.of("name", "Half", "contact_email", "a@b.example", "regions",
                List.of("us-east"), "programme", "referral"))
                .post("/api/v1/partners").then().statusCode(400)
                .body("detail", containsString("share_bp"));
        String partner = newPartner("Listed");
        as(operator()).get("/api/v1/partners").then().statusCode(200).body("data.id", hasItem(partner));
    }

    @Test
    void aPartnersCredentialCreatesTenantsWhereItMaySellAndActsOnThemAndNothingElse() {
        String partner = newPartner("Acme Resellers");
        String token = tokenOf(credential(partner));

        as(token).get("/api/v1/partners/{p}", partner).then().statusCode(200).body("name", equalTo("Acme Resellers"));
        String tenant = as(token).body(Map.of("name", "Customer One", "home_region", "us-east"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(201)
                .body("home_region", equalTo("us-east")).body("role", equalTo("admin"))
                .extract().path("id");
        as(token).body(Map.of("name", "Customer CN", "home_region", "cn-north"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(400)
                .body("detail", containsString("may sell in eu-central, us-east, not in 'cn-north'"));
        as(token).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(200)
                .body("data.id", equalTo(List.of(tenant)));

        // the ordinary tenant routes, as an admin would: a key, the audit log naming the partner's creation
        as(token).get("/api/v1/tenants/{t}", tenant).then().statusCode(200).body("role", equalTo("admin"));
        as(token).body(Map.of("name", "for the customer", "scopes", List.of("inference")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201);
        // every action audited as "partner P for tenant T"
        as(token).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.action", hasItem("tenant.created"))
                .body("data.find { it.action == 'tenant.created' }.details.owner_partner_id", equalTo(partner))
                .body("data.find { it.action == 'tenant.created' }.details.partner_id", equalTo(partner))
                .body("data.find { it.action == 'api_key.created' }.details.partner_id", equalTo(partner));

        // a partner acts for no other tenant, and for no other partner; a customer's own tenant is not its
        String customersOwn = createTenant(newUser().accessToken(), "Independent");
        as(token).get("/api/v1/tenants/{t}", customersOwn).then().statusCode(404);
        String other = newPartner("Other Partner");
        as(token).get("/api/v1/partners/{p}", other).then().statusCode(404);
        as(token).get("/api/v1/partners/{p}/tenants", other).then().statusCode(404);
        String otherToken = tokenOf(credential(other));
        as(otherToken).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(otherToken).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(404);
        // and a signed-in person who is no member of it sees nothing either
        as(newUser().accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        // a partner creates tenants only as its own
        as(token).body(Map.of("name", "Stray", "home_region", "us-east")).post("/api/v1/tenants").then()
                .statusCode(403).body("detail", containsString("/api/v1/partners/{partner_id}/tenants"));
    }

    @Test
    void rotatingGivesANewSecretOnceAndTheOldOneGetsNoToken() {
        String partner = newPartner("Rotating");
        JsonPath credential = credential(partner);
        String token = tokenOf(credential);

        JsonPath rotated = as(token).post("/api/v1/partners/{p}/credentials/{c}/rotate", partner,
                        credential.getString("id")).then().statusCode(200)
                .body("client_id", equalTo(credential.getString("client_id")))
                .body("client_secret", notNullValue()).extract().jsonPath();
        assertThat(rotated.getString("client_secret")).isNotEqualTo(credential.getString("client_secret"));
        // the old secret gets no token; the new one does, and the token already out still works until it expires
        assertThatThrownBy(() -> tokenOf(credential)).hasMessageContaining("refused");
        as(tokenOf(rotated)).get("/api/v1/partners/{p}", partner).then().statusCode(200);
        as(token).get("/api/v1/partners/{p}", partner).then().statusCode(200);
        // listing never shows it again, and a revoked credential is not rotated
        as(token).get("/api/v1/partners/{p}/credentials", partner).then().statusCode(200)
                .body("data[0].client_secret", equalTo(null));
        as(operator()).post("/api/v1/partners/{p}/credentials/{c}/revoke", partner, credential.getString("id"))
                .then().statusCode(200);
        as(operator()).post("/api/v1/partners/{p}/credentials/{c}/rotate", partner, credential.getString("id"))
                .then().statusCode(409).body("detail", containsString("create a new credential"));
    }

    @Test
    void aRevokedCredentialIsRefusedAtOnceAndMintsNoMoreTokens() {
        String partner = newPartner("Revoking");
        JsonPath credential = credential(partner);
        String token = tokenOf(credential);
        as(token).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(200);
        as(token).get("/api/v1/partners/{p}/credentials", partner).then().statusCode(200)
                .body("data.client_id", equalTo(List.of(credential.getString("client_id"))))
                .body("data[0].client_secret", equalTo(null));

        as(token).post("/api/v1/partners/{p}/credentials/{c}/revoke", partner, credential.getString("id")).then()
                .statusCode(200).body("revoked_at", notNullValue());

        // the token is unexpired, yet refused; and the secret gets no new one
        as(token).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(401)
                .body("detail", containsString("revoked"));
        assertThatThrownBy(() -> tokenOf(credential)).hasMessageContaining("refused");
        assertThat(as(operator()).get("/api/v1/partners/{p}/credentials", partner).then().statusCode(200)
                .extract().<String>path("data[0].revoked_at")).isNotNull();
    }
}
