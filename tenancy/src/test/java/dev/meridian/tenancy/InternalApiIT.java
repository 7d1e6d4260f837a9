package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API the gateways call with their service tokens: key lookup by prefix and last-used reports. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class InternalApiIT {

    @Test
    void withoutATokenIs401AndWithAUsersTokenIs403() {
        given().get("/internal/v1/api-keys/AAAAAAAAAAAA").then().statusCode(401)
                .contentType("application/problem+json");
        as(newUser().accessToken()).get("/internal/v1/api-keys/AAAAAAAAAAAA").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("Meridian's services"));
        as(TestStack.get().operatorToken()).body(Map.of("used", List.of()))
                .post("/internal/v1/api-keys/last-used").then().statusCode(403);
    }

    @Test
    void onlyTheGatewaysServiceAccountMayLookUpKeysOrReportUses() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Service roles");
        var key = createKey(user.accessToken(), tenant, "k", "models");
        var use = Map.of("used", List.of(Map.of("key_id", key.path("id"), "tenant_id", tenant, "at",
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())));

        // a key lookup answers any tenant's key hash: the other services' credentials must not open it
        for (String other : List.of("meridian-billing", "meridian-inference", "meridian-worker", "meridian-tenancy",
                "meridian-partner")) {
            String token = TestStack.get().serviceToken(other);
            as(token).get("/internal/v1/api-keys/{p}", key.<String>path("prefix")).then().statusCode(403)
                    .contentType("application/problem+json");
            as(token).body(use).post("/internal/v1/api-keys/last-used").then().statusCode(403);
        }
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, key.path("id")).then()
                .body("last_used_at", equalTo(null));

        asGateway().get("/internal/v1/api-keys/{p}", key.<String>path("prefix")).then().statusCode(200);
        asGateway().body(use).post("/internal/v1/api-keys/last-used").then().statusCode(204);
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, key.path("id")).then()
                .body("last_used_at", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void anUnknownPrefixIs404() {
        asGateway().get("/internal/v1/api-keys/AAAAAAAAAAAA").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void theLookupCarriesWhatTheGatewayNeeds() {
        var user = newUser();
        String tenant = as(user.accessToken())
                .body(Map.of("name", "Subscriber", "home_region", "us-east", "plan", "subscription"))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
        var key = createKey(user.accessToken(), tenant, "svc", "inference", "billing:read");

        asGateway().get("/internal/v1/api-keys/{p}", key.<String>path("prefix")).then().statusCode(200)
                .body("key_id", equalTo(key.path("id")))
                .body("tenant_id", equalTo(tenant))
                .body("prefix", equalTo(key.path("prefix")))
                .body("scopes", equalTo(List.of("inference", "billing:read")))
                .body("expires_at", equalTo(null))
                .body("revoked_at", equalTo(null))
                .body("tenant_status", equalTo("active"))
                .body("home_region", equalTo("us-east"))
                .body("home_gateway_url", equalTo("http://localhost:8082"))
                .body("transit_allowed", equalTo(true))
                .body("home_sovereign", equalTo(false))
                .body("plan", equalTo("subscription"))
                .body("rate_limit.requests_per_second", equalTo(200))
                .body("rate_limit.burst", equalTo(400))
                .body("rate_limit.tokens_per_minute", equalTo(1000000));
    }

    @Test
    void aKeyAndAMemberOfATenantHomedInASovereignRegionSaySo() {
        var user = newUser();
        String tenant = as(user.accessToken()).body(Map.of("name", "Beijing", "home_region", "cn-north"))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
        var key = createKey(user.accessToken(), tenant, "svc", "inference");

        asGateway().get("/internal/v1/api-keys/{p}", key.<String>path("prefix")).then().statusCode(200)
                .body("home_region", equalTo("cn-north"))
                .body("home_gateway_url", equalTo("http://localhost:8084"))
                .body("home_sovereign", equalTo(true));
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, Api.subjectOf(user.accessToken()))
                .then().statusCode(200)
                .body("home_region", equalTo("cn-north"))
                .body("home_sovereign", equalTo(true));
    }

    @Test
    void theLookupShowsASuspendedTenant() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "To suspend");
        String prefix = createKey(user.accessToken(), tenant, "k", "models").path("prefix");

        as(TestStack.get().operatorToken()).post("/api/v1/tenants/{t}/suspend", tenant).then().statusCode(200);

        asGateway().get("/internal/v1/api-keys/{p}", prefix).then().body("tenant_status", equalTo("suspended"));
    }

    @Test
    void lastUsedKeepsTheNewestTime() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Busy");
        String keyId = createKey(user.accessToken(), tenant, "k", "models").path("id");
        Instant newer = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant older = newer.minusSeconds(60);

        report(tenant, keyId, newer);
        report(tenant, keyId, older);

        assertThat(lastUsed(user.accessToken(), tenant, keyId)).isEqualTo(newer);
        report(tenant, keyId, newer.plusSeconds(1));
        assertThat(lastUsed(user.accessToken(), tenant, keyId)).isEqualTo(newer.plusSeconds(1));
    }

    @Test
    void aUseReportedUnderTheWrongTenantChangesNothing() {
        var alice = newUser();
        String aliceTenant = createTenant(alice.accessToken(), "Alice");
        String keyId = createKey(alice.accessToken(), aliceTenant, "k", "models").path("id");
        String otherTenant = createTenant(newUser().accessToken(), "Other");

        report(otherTenant, keyId, Instant.now());

        as(alice.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", aliceTenant, keyId).then()
                .body("last_used_at", equalTo(null));
    }

    @Test
    void anIncompleteLastUsedReportIs400NamingTheField() {
        asGateway().body(Map.of("used", List.of(Map.of("key_id", "7c3c1b5e-0000-4000-8000-000000000000",
                        "at", Instant.now().toString()))))
                .post("/internal/v1/api-keys/last-used").then().statusCode(400)
                .body("errors[0].field", equalTo("used[0].tenant_id"));
    }

    @Test
    void aMemberAsACallerHasTheRolesKeyScopesAndTheMembershipIdForTheKeys() {
        var owner = newUser();
        String tenant = as(owner.accessToken())
                .body(Map.of("name", "Console calls", "home_region", "us-east", "plan", "subscription"))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
        var developer = Api.memberWithRole(owner.accessToken(), tenant, "developer");
        String ownerId = Api.subjectOf(owner.accessToken());

        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, ownerId).then().statusCode(200)
                .body("key_id", equalTo(Api.memberIdOf(owner.accessToken(), tenant, owner.email())))
                .body("tenant_id", equalTo(tenant))
                .body("prefix", equalTo(null))
                .body("hash", equalTo(null))
                .body("scopes", equalTo(List.of("inference", "models", "fine-tune", "billing:read")))
                .body("tenant_status", equalTo("active"))
                .body("home_region", equalTo("us-east"))
                .body("home_gateway_url", equalTo("http://localhost:8082"))
                .body("plan", equalTo("subscription"))
                .body("rate_limit.requests_per_second", equalTo(200));
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant,
                Api.subjectOf(developer.accessToken())).then().statusCode(200)
                .body("scopes", equalTo(List.of("inference", "models", "fine-tune")));
    }

    @Test
    void aUserWhoIsNoActiveMemberIsNotACallerAndOnlyGatewaysMayAsk() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Members only");
        var stranger = newUser();
        String strangerId = Api.subjectOf(stranger.accessToken());
        as(owner.accessToken()).body(Map.of("email", stranger.email(), "role", "developer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201);

        // invited but not yet accepted, a stranger, an unknown tenant: all the same 404
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant, strangerId).then().statusCode(404)
                .contentType("application/problem+json");
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", createTenant(newUser().accessToken(), "x"),
                Api.subjectOf(owner.accessToken())).then().statusCode(404);
        asGateway().get("/internal/v1/tenants/{t}/members/by-user/{u}", "7c3c1b5e-0000-4000-8000-000000000000",
                Api.subjectOf(owner.accessToken())).then().statusCode(404);
        for (String other : List.of("meridian-billing", "meridian-inference", "meridian-worker")) {
            as(TestStack.get().serviceToken(other)).get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant,
                    Api.subjectOf(owner.accessToken())).then().statusCode(403);
        }
        as(owner.accessToken()).get("/internal/v1/tenants/{t}/members/by-user/{u}", tenant,
                Api.subjectOf(owner.accessToken())).then().statusCode(403);
    }

    private static void report(String tenant, String keyId, Instant at) {
        asGateway().body(Map.of("used", List.of(Map.of("key_id", keyId, "tenant_id", tenant, "at", at.toString()))))
                .post("/internal/v1/api-keys/last-used").then().statusCode(204);
    }

    private static Instant lastUsed(String token, String tenant, String keyId) {
        return Instant.parse(as(token).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, keyId).then().statusCode(200)
                .extract().<String>path("last_used_at"));
    }
}
