package dev.meridian.tenancy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The management and internal API of tenancy against real PostgreSQL, Kafka and Keycloak. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenancyApiIT {

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    static String createTenant(String token, String name) {
        return as(token).body(Map.of("name", name, "home_region", "eu-central")).post("/api/v1/tenants")
                .then().statusCode(201).extract().path("id");
    }

    @Test
    void signedUpUserCreatesTenantAndBecomesItsOwner() {
        var user = TestStack.get().newUser();
        String id = createTenant(user.accessToken(), "Acme");

        as(user.accessToken()).get("/api/v1/tenants").then().statusCode(200)
                .body("data.id", equalTo(List.of(id)))
                .body("data[0].role", equalTo("owner"))
                .body("data[0].home_region", equalTo("eu-central"))
                .body("data[0].plan", equalTo("free"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/members", id).then().statusCode(200)
                .body("data[0].email", equalTo(user.email()))
                .body("data[0].role", equalTo("owner"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/audit-events", id).then().statusCode(200)
                .body("data.action", hasItem("tenant.created"));
    }

    @Test
    void keyIsShownOnceListedWithoutSecretAndFoundByItsPrefix() {
        var user = TestStack.get().newUser();
        String tenant = createTenant(user.accessToken(), "Keys");
        var created = as(user.accessToken()).body(Map.of("name", "ci", "scopes", List.of("inference", "models")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract();
        String secret = created.path("key");
        String prefix = created.path("prefix");
        assertThat(ApiKeySecret.prefixOf(secret)).contains(prefix);

        String listed = as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200)
                .extract().asString();
        assertThat(listed).contains(prefix).doesNotContain(secret).doesNotContain(ApiKeySecret.hash(secret));

        var record = as(TestStack.get().serviceToken("meridian-gateway")).get("/internal/v1/api-keys/{p}", prefix)
                .then().statusCode(200)
                .body("tenant_id", equalTo(tenant))
                .body("scopes", equalTo(List.of("inference", "models")))
                .body("tenant_status", equalTo("active"))
                .body("home_gateway_url", notNullValue())
                .body("rate_limit.requests_per_second", equalTo(5))
                .extract();
        assertThat(ApiKeySecret.matches(secret, record.path("hash"))).isTrue();
    }

    @Test
    void revokeAndRotateShowInTheLookupAndTheAuditLog() {
        var user = TestStack.get().newUser();
        String tenant = createTenant(user.accessToken(), "Lifecycle");
        var first = as(user.accessToken()).body(Map.of("name", "svc", "scopes", List.of("models")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract();
        var rotated = as(user.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, first.path("id"))
                .then().statusCode(201).body("name", equalTo("svc")).extract();
        String service = TestStack.get().serviceToken("meridian-gateway");
        as(service).get("/internal/v1/api-keys/{p}", first.<String>path("prefix")).then().statusCode(200)
                .body("revoked_at", notNullValue());

        as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, rotated.path("id"))
                .then().statusCode(200).body("revoked_at", notNullValue());
        // idempotent
        as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, rotated.path("id"))
                .then().statusCode(200);
        as(user.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(200)
                .body("data.action", equalTo(List.of("api_key.revoked", "api_key.rotated", "api_key.created",
                        "tenant.created")));
    }

    @Test
    void badScopesAndPastExpiryAreRefusedWithTheReason() {
        var user = TestStack.get().newUser();
        String tenant = createTenant(user.accessToken(), "Validation");
        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("root")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("root")).body("detail", containsString("billing:read"));
        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("models"),
                        "expires_at", Instant.now().minusSeconds(60).toString()))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .body("detail", containsString("expires_at"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().body("data.size()", equalTo(0));
    }

    @Test
    void malformedJsonAndUnknownFieldsAre400AndCreateNothing() {
        var user = TestStack.get().newUser();
        as(user.accessToken()).body("{\"name\": \"x\", ").post("/api/v1/tenants").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("line 1"));
        as(user.accessToken()).body("{\"name\": \"x\", \"home_region\": \"eu-central\", \"colour\": \"red\"}")
                .post("/api/v1/tenants").then().statusCode(400)
                .body("detail", containsString("colour")).body("detail", containsString("home_region"));
        as(user.accessToken()).body("{\"home_region\": \"eu-central\"}").post("/api/v1/tenants").then()
                .statusCode(400).body("errors[0].field", equalTo("name"));
        as(user.accessToken()).body("{\"name\": \"x\", \"home_region\": \"moon\"}").post("/api/v1/tenants").then()
                .statusCode(400).body("detail", containsString("us-east"));
        as(user.accessToken()).get("/api/v1/tenants").then().body("data.size()", equalTo(0));
    }

    @Test
    void anotherTenantsDataIsNotFound() {
        var alice = TestStack.get().newUser();
        String aliceTenant = createTenant(alice.accessToken(), "Alice");
        String keyId = as(alice.accessToken()).body(Map.of("name", "k", "scopes", List.of("models")))
                .post("/api/v1/tenants/{t}/api-keys", aliceTenant).then().statusCode(201).extract().path("id");
        var eve = TestStack.get().newUser();
        createTenant(eve.accessToken(), "Eve");

        as(eve.accessToken()).get("/api/v1/tenants/{t}", aliceTenant).then().statusCode(404);
        as(eve.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", aliceTenant, keyId).then().statusCode(404);
        as(eve.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", aliceTenant, keyId).then().statusCode(404);
        as(eve.accessToken()).get("/api/v1/tenants/{t}/members", aliceTenant).then().statusCode(404);
        as(eve.accessToken()).get("/api/v1/tenants/{t}/audit-events", aliceTenant).then().statusCode(404);
        as(alice.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", aliceTenant, keyId).then().statusCode(200)
                .body("revoked_at", equalTo(null));
    }

    @Test
    void invitedMemberAcceptsAndRolesAreEnforced() {
        var owner = TestStack.get().newUser();
        String tenant = createTenant(owner.accessToken(), "Team");
        var dev = TestStack.get().newUser();
        String memberId = as(owner.accessToken()).body(Map.of("email", dev.email(), "role", "developer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201)
                .body("status", equalTo("invited")).extract().path("id");

        as(dev.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(404);
        as(dev.accessToken()).get("/api/v1/invitations").then().statusCode(200).body("data.id", hasItem(memberId));
        as(dev.accessToken()).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(200)
                .body("status", equalTo("active"));

        // a developer may manage keys but not members or the audit log
        as(dev.accessToken()).body(Map.of("name", "dev", "scopes", List.of("models")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201);
        as(dev.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then().statusCode(403)
                .body("detail", containsString("owner or admin"));
        as(dev.accessToken()).body(Map.of("email", "x@example.test", "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(403);
    }

    @Test
    void lastOwnerCanBeNeitherRemovedNorDemoted() {
        var owner = TestStack.get().newUser();
        String tenant = createTenant(owner.accessToken(), "Solo");
        String ownerMemberId = as(owner.accessToken()).get("/api/v1/tenants/{t}/members", tenant)
                .then().extract().path("data[0].id");
        as(owner.accessToken()).delete("/api/v1/tenants/{t}/members/{m}", tenant, ownerMemberId).then()
                .statusCode(409).body("detail", containsString("last owner"));
        as(owner.accessToken()).body(Map.of("role", "admin"))
                .patch("/api/v1/tenants/{t}/members/{m}", tenant, ownerMemberId).then().statusCode(409);
        as(owner.accessToken()).get("/api/v1/tenants/{t}/members", tenant).then()
                .body("data[0].role", equalTo("owner"));
    }

    @Test
    void onlyOperatorsSuspendAndTheLookupShowsIt() {
        var owner = TestStack.get().newUser();
        String tenant = createTenant(owner.accessToken(), "Suspended");
        String prefix = as(owner.accessToken()).body(Map.of("name", "k", "scopes", List.of("models")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract().path("prefix");
        as(owner.accessToken()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(403);

        as(TestStack.get().operatorToken()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200)
                .body("status", equalTo("suspended"));
        as(TestStack.get().serviceToken("meridian-gateway")).get("/internal/v1/api-keys/{p}", prefix).then()
                .body("tenant_status", equalTo("suspended"));
    }

    @Test
    void internalApiNeedsAServiceToken() {
        var user = TestStack.get().newUser();
        given().get("/internal/v1/api-keys/AAAAAAAAAAAA").then().statusCode(401);
        as(user.accessToken()).get("/internal/v1/api-keys/AAAAAAAAAAAA").then().statusCode(403);
        as(TestStack.get().serviceToken("meridian-gateway")).get("/internal/v1/api-keys/AAAAAAAAAAAA").then()
                .statusCode(404);
    }

    @Test
    void regionsDirectoryIsPublic() {
        given().get("/api/v1/regions").then().statusCode(200)
                .body("data.id", equalTo(List.of("cn-north", "eu-central", "us-east")))
                .body("data.find { it.id == 'eu-central' }.currency", equalTo("EUR"))
                .body("data.find { it.id == 'cn-north' }.residency", not(equalTo("none")));
    }
}
