package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static dev.meridian.tenancy.Api.subjectOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.everyItem;

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
 * A partner's people (Keycloak users with partner roles), its price list, delegated access a customer grants and
 * revokes, the partner's own audit trail, and billing's view of the partners — against the real Keycloak.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class PartnerPeopleAndGrantsIT {

    private static String operator() {
        return TestStack.get().operatorToken();
    }

    private static String referralPartner(String name) {
        return as(operator()).body(Map.of("name", name, "contact_email", "ops@partner.example",
                        "regions", List.of("us-east", "eu-central"), "programme", "referral", "share_bp", 1500,
                        "plans", List.of("payg", "subscription"), "share_bp_by_plan", Map.of("subscription", 2000),
                        "share_bp_by_meter", Map.of("training_example_epochs", 500)))
                .post("/api/v1/partners").then().statusCode(201)
                .body("plans", equalTo(List.of("payg", "subscription")))
                .body("share_bp_by_meter.training_example_epochs", equalTo(500))
                .extract().path("id");
    }

    private static String credentialToken(String partner) {
        JsonPath c = as(operator()).body(Map.of("name", "integration"))
                .post("/api/v1/partners/{p}/credentials", partner).then().statusCode(201).extract().jsonPath();
        return OidcBrowser.clientCredentials(TestStack.get().keycloakUrl(), c.getString("client_id"),
                c.getString("client_secret")).accessToken();
    }

    @Test
    void badTermsSayWhatToFix() {
        as(operator()).body(Map.of("name", "Bad plans", "contact_email", "a@b.example", "regions", List.of("us-east"),
                        "programme", "referral", "share_bp", 1000, "plans", List.of("gold")))
                .post("/api/v1/partners").then().statusCode(400).body("detail", containsString("unknown plan(s) gold"));
        as(operator()).body(Map.of("name", "Bad meter", "contact_email", "a@b.example", "regions", List.of("us-east"),
                        "programme", "referral", "share_bp", 1000, "share_bp_by_meter", Map.of("smiles", 10)))
                .post("/api/v1/partners").then().statusCode(400).body("detail", containsString("unknown meter 'smiles'"));
        as(operator()).body(Map.of("name", "Reseller shares", "contact_email", "a@b.example", "regions",
                        List.of("us-east"), "programme", "reseller", "discount_bp", 1000,
                        "share_bp_by_plan", Map.of("payg", 10)))
                .post("/api/v1/partners").then().statusCode(400).body("detail", containsString("referral partners"));
    }

    @Test
    void partnerPeopleActByTheirRoleOnThePartnersTenants() {
        String partner = referralPartner("People Partner");
        var admin = newUser();
        var support = newUser();
        as(operator()).body(Map.of("email", admin.email(), "role", "partner-admin"))
                .post("/api/v1/partners/{p}/members", partner).then().statusCode(201)
                .body("role", equalTo("partner-admin"));
        as(admin.accessToken()).body(Map.of("email", "nobody-" + System.nanoTime() + "@example.com", "role",
                        "partner-support"))
                .post("/api/v1/partners/{p}/members", partner).then().statusCode(400)
                .body("detail", containsString("sign up first"));
        String supportMember = as(admin.accessToken()).body(Map.of("email", support.email(), "role", "partner-support"))
                .post("/api/v1/partners/{p}/members", partner).then().statusCode(201).extract().path("id");

        // each sees the partner among theirs, with their role; someone else sees none
        as(admin.accessToken()).get("/api/v1/partners").then().statusCode(200)
                .body("data.id", equalTo(List.of(partner))).body("data[0].role", equalTo("partner-admin"));
        as(support.accessToken()).get("/api/v1/partners/{p}", partner).then().statusCode(200)
                .body("role", equalTo("partner-support"));
        as(newUser().accessToken()).get("/api/v1/partners").then().statusCode(200).body("data", empty());

        // the price list: only its plans
        as(admin.accessToken()).body(Map.of("name", "Off list", "home_region", "us-east", "plan", "free"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(400)
                .body("detail", containsString("offers the plans payg, subscription"));
        // a plan on the price list
        String tenant = as(admin.accessToken()).body(Map.of("name", "Customer", "home_region", "us-east", "plan",
                        "subscription"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(201)
                .body("plan", equalTo("subscription")).extract().path("id");
        as(support.accessToken()).body(Map.of("name", "No", "home_region", "us-east", "plan", "payg"))
                .post("/api/v1/partners/{p}/tenants", partner).then().statusCode(403)
                .body("detail", containsString("partner-admin"));

        // on the tenant: the admin as an admin, support as a viewer
        as(admin.accessToken()).body(Map.of("name", "customer key", "scopes", List.of("inference")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201);
        as(support.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("role", equalTo("viewer"));
        as(support.accessToken()).body(Map.of("name", "no", "scopes", List.of("inference")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(403);
        as(support.accessToken()).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(200)
                .body("data[0].id", equalTo(tenant)).body("data[0].role", equalTo("viewer"))
                .body("data[0].relationship", equalTo("owned"));

        // the gateway's view of a partner member on /v1
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, subjectOf(support.accessToken()))
                .then().statusCode(200).body("scopes", empty());
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, subjectOf(admin.accessToken()))
                .then().statusCode(200).body("scopes", hasItem("inference"));

        // the partner's trail: its people's actions on its tenants, each as "partner P for tenant T"
        as(support.accessToken()).get("/api/v1/partners/{p}/audit-events", partner).then().statusCode(200)
                .body("data.action", hasItems("tenant.created", "api_key.created"))
                .body("data.tenant_id", hasItem(tenant))
                .body("data.partner_id", everyItem(equalTo(partner)))
                .body("data.actor.email", hasItem(admin.email()));
        as(credentialToken(referralPartner("Stranger"))).get("/api/v1/partners/{p}/audit-events", partner).then()
                .statusCode(404);

        // removed: nothing any more
        as(admin.accessToken()).delete("/api/v1/partners/{p}/members/{m}", partner, supportMember).then()
                .statusCode(204);
        as(support.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(support.accessToken()).get("/api/v1/partners/{p}", partner).then().statusCode(404);
    }

    @Test
    void aCustomerGrantsAPartnerAccessAndTakesItBack() {
        String partner = referralPartner("Integrator");
        String token = credentialToken(partner);
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Customer's own");
        as(token).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);

        as(owner.accessToken()).body(Map.of("partner_id", partner, "role", "owner"))
                .post("/api/v1/tenants/{t}/partner-grants", tenant).then().statusCode(400)
                .body("detail", containsString("never an owner"));
        as(owner.accessToken()).body(Map.of("partner_id", java.util.UUID.randomUUID(), "role", "developer"))
                .post("/api/v1/tenants/{t}/partner-grants", tenant).then().statusCode(400)
                .body("detail", containsString("no partner"));
        as(token).body(Map.of("partner_id", partner, "role", "admin"))
                .post("/api/v1/tenants/{t}/partner-grants", tenant).then().statusCode(403);
        as(owner.accessToken()).body(Map.of("partner_id", partner, "role", "developer"))
                .post("/api/v1/tenants/{t}/partner-grants", tenant).then().statusCode(201)
                .body("partner_name", equalTo("Integrator")).body("role", equalTo("developer"));

        as(token).get("/api/v1/tenants/{t}", tenant).then().statusCode(200).body("role", equalTo("developer"));
        as(token).get("/api/v1/partners/{p}/tenants", partner).then().statusCode(200)
                .body("data.find { it.id == '" + tenant + "' }.relationship", equalTo("granted"));
        as(token).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(403);
        as(owner.accessToken()).get("/api/v1/tenants/{t}/partner-grants", tenant).then().statusCode(200)
                .body("data.partner_id", equalTo(List.of(partner)));
        // a granted tenant earns the partner nothing: billing's view lists owned tenants only
        as(TestStack.get().serviceToken("meridian-billing")).get("/internal/v1/partners/{p}", partner).then()
                .statusCode(200).body("tenants", empty()).body("share_bp_by_plan.subscription", equalTo(2000));
        asGateway().get("/internal/v1/partners").then().statusCode(403);

        as(owner.accessToken()).delete("/api/v1/tenants/{t}/partner-grants/{p}", tenant, partner).then()
                .statusCode(200);
        as(token).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.action", hasItems("partner_grant.granted", "partner_grant.revoked"));
        as(owner.accessToken()).delete("/api/v1/tenants/{t}/partner-grants/{p}", tenant, partner).then()
                .statusCode(404);
    }
}
