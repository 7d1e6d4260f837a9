package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.memberIdOf;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The application layer of tenant isolation: whoever is not a member of a tenant gets 404 for all of it. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class IsolationIT {

    /** Every management call under /api/v1/tenants/{t}, as a function of tenant, key and member ids. */
    private static List<Function<String, Response>> everyCall(String tenant, String keyId, String memberId) {
        return List.of(
                token -> as(token).get("/api/v1/tenants/{t}", tenant),
                token -> as(token).body(Map.of("name", "Mine now")).patch("/api/v1/tenants/{t}", tenant),
                token -> as(token).get("/api/v1/tenants/{t}/api-keys", tenant),
                token -> as(token).body(Map.of("name", "k", "scopes", List.of("models")))
                        .post("/api/v1/tenants/{t}/api-keys", tenant),
                token -> as(token).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, keyId),
                token -> as(token).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, keyId),
                token -> as(token).body(Map.of()).post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, keyId),
                token -> as(token).get("/api/v1/tenants/{t}/members", tenant),
                token -> as(token).body(Map.of("email", "eve@example.test", "role", "owner"))
                        .post("/api/v1/tenants/{t}/members", tenant),
                token -> as(token).body(Map.of("role", "viewer"))
                        .patch("/api/v1/tenants/{t}/members/{m}", tenant, memberId),
                token -> as(token).delete("/api/v1/tenants/{t}/members/{m}", tenant, memberId),
                token -> as(token).get("/api/v1/tenants/{t}/audit-events", tenant));
    }

    @Test
    void anotherTenantsMemberGets404ForEverythingUnderThatTenant() {
        var alice = newUser();
        String aliceTenant = createTenant(alice.accessToken(), "Alice");
        String keyId = createKey(alice.accessToken(), aliceTenant, "prod", "models").path("id");
        String aliceMemberId = memberIdOf(alice.accessToken(), aliceTenant, alice.email());
        var eve = newUser();
        createTenant(eve.accessToken(), "Eve");

        for (var call : everyCall(aliceTenant, keyId, aliceMemberId)) {
            call.apply(eve.accessToken()).then().statusCode(404).contentType("application/problem+json");
        }

        as(alice.accessToken()).get("/api/v1/tenants/{t}", aliceTenant).then().body("name", equalTo("Alice"));
        as(alice.accessToken()).get("/api/v1/tenants/{t}/api-keys", aliceTenant).then()
                .body("data.size()", equalTo(1))
                .body("data[0].revoked_at", nullValue());
        as(alice.accessToken()).get("/api/v1/tenants/{t}/members", aliceTenant).then()
                .body("data.size()", equalTo(1))
                .body("data[0].role", equalTo("owner"));
        as(alice.accessToken()).get("/api/v1/tenants/{t}/audit-events", aliceTenant).then()
                .body("data.action", equalTo(List.of("api_key.created", "tenant.created")));
    }

    @Test
    void aTenantThatExistsLooksTheSameToOutsidersAsOneThatDoesNot() {
        var alice = newUser();
        String aliceTenant = createTenant(alice.accessToken(), "Real");
        String nobody = UUID.randomUUID().toString();
        var eve = newUser();

        String real = as(eve.accessToken()).get("/api/v1/tenants/{t}", aliceTenant).then().statusCode(404)
                .extract().path("detail");
        String missing = as(eve.accessToken()).get("/api/v1/tenants/{t}", nobody).then().statusCode(404)
                .extract().path("detail");

        assertThat(real.replace(aliceTenant, "ID")).isEqualTo(missing.replace(nobody, "ID"));
    }

    @Test
    void aKeyOfAnotherTenantIsNotFoundEvenThroughOnesOwnTenant() {
        var alice = newUser();
        String aliceTenant = createTenant(alice.accessToken(), "Alice's");
        String aliceKey = createKey(alice.accessToken(), aliceTenant, "prod", "models").path("id");
        var eve = newUser();
        String eveTenant = createTenant(eve.accessToken(), "Eve's");

        as(eve.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", eveTenant, aliceKey).then().statusCode(404);
        as(eve.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", eveTenant, aliceKey).then()
                .statusCode(404);
        as(alice.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", aliceTenant, aliceKey).then()
                .body("revoked_at", nullValue());
    }
}
