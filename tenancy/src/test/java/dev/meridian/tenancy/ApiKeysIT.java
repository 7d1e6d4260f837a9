package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A tenant's API keys: shown once, listed without secret, revoked, rotated; what the gateways' lookup sees. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ApiKeysIT {

    @Test
    void theSecretIsInTheCreateAnswerOnly() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Keys");

        var created = createKey(user.accessToken(), tenant, "ci", "inference", "models");
        String secret = created.path("key");
        String prefix = created.path("prefix");
        assertThat(ApiKeySecret.prefixOf(secret)).contains(prefix);
        assertThat(created.<List<String>>path("scopes")).containsExactly("inference", "models");

        String listed = as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].name", equalTo("ci"))
                .body("data[0].prefix", equalTo(prefix))
                .body("data[0].key", nullValue())
                .body("data[0].hash", nullValue())
                .extract().asString();
        String one = as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, created.path("id"))
                .then().statusCode(200).body("prefix", equalTo(prefix)).extract().asString();
        for (String body : List.of(listed, one)) {
            assertThat(body).doesNotContain(secret).doesNotContain(ApiKeySecret.hash(secret))
                    .contains("\"last_used_at\"").contains("\"revoked_at\"").contains("\"expires_at\"");
        }
    }

    @Test
    void theLookupByPrefixReturnsTheHashOfTheSecret() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Lookup");
        var created = createKey(user.accessToken(), tenant, "svc", "models");

        String hash = asGateway().get("/internal/v1/api-keys/{p}", created.<String>path("prefix")).then()
                .statusCode(200)
                .body("key_id", equalTo(created.path("id")))
                .body("tenant_id", equalTo(tenant))
                .body("revoked_at", nullValue())
                .extract().path("hash");

        assertThat(ApiKeySecret.matches(created.path("key"), hash)).isTrue();
    }

    @Test
    void aKeyMayExpireInTheFuture() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Expiring");
        Instant expiry = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);

        String id = as(user.accessToken()).body(Map.of("name", "temp", "scopes", List.of("models"),
                        "expires_at", expiry.toString()))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract().path("id");

        String shown = as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, id).then()
                .extract().path("expires_at");
        assertThat(Instant.parse(shown)).isEqualTo(expiry);
    }

    @Test
    void anExpiryInThePastIsRefused() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Past");

        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("models"),
                        "expires_at", Instant.now().minusSeconds(60).toString()))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("expires_at"))
                .body("detail", containsString("in the future"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().body("data.size()", equalTo(0));
    }

    @Test
    void anUnknownScopeIsRefusedNamingTheValidOnes() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Scopes");

        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("models", "root")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("scopes"))
                .body("detail", containsString("'root'"))
                .body("detail", containsString("use any of inference, models, fine-tune, billing:read"))
                .body("detail", not(containsString("admin")));
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().body("data.size()", equalTo(0));
    }

    @Test
    void theAdminScopeIsNoLongerIssuedAndTheRefusalSaysSo() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Admin scope");

        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("inference", "admin")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("scopes"))
                .body("detail", containsString("scope 'admin' is no longer issued"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().body("data.size()", equalTo(0));
    }

    @Test
    void aKeyCarriesOnlyScopesItsCreatorsRoleMayUse() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Escalation");
        var developer = Api.memberWithRole(owner.accessToken(), tenant, "developer");
        var admin = Api.memberWithRole(owner.accessToken(), tenant, "admin");

        // billing is refused to developers in the console, so a developer's key may not read it either
        as(developer.accessToken()).body(Map.of("name", "sneaky", "scopes", List.of("inference", "billing:read")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("'developer'"))
                .body("detail", containsString("'billing:read'"))
                .body("detail", containsString("developer: inference, models, fine-tune"));
        assertThat(Api.count("select count(*) from api_keys where tenant_id = ?::uuid", tenant)).isZero();

        createKey(developer.accessToken(), tenant, "dev", "inference", "models", "fine-tune");
        createKey(admin.accessToken(), tenant, "reports", "billing:read");
        createKey(owner.accessToken(), tenant, "all", "inference", "models", "fine-tune", "billing:read");
    }

    @Test
    void aKeyIsRotatedOnlyByARoleThatMayGrantAllItsScopes() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Rotation escalation");
        var developer = Api.memberWithRole(owner.accessToken(), tenant, "developer");
        var billingKey = createKey(owner.accessToken(), tenant, "reports", "inference", "billing:read");

        // rotating would hand the developer a working secret of a key that reads billing
        as(developer.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, billingKey.path("id")).then()
                .statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("'developer'"))
                .body("detail", containsString("'billing:read'"));
        asGateway().get("/internal/v1/api-keys/{p}", billingKey.<String>path("prefix")).then()
                .body("revoked_at", nullValue());
        assertThat(Api.count("select count(*) from api_keys where tenant_id = ?::uuid", tenant)).isEqualTo(1);

        as(owner.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, billingKey.path("id")).then()
                .statusCode(201).body("scopes", equalTo(List.of("inference", "billing:read")));
    }

    @Test
    void aKeyThatStillCarriesTheRetiredAdminScopeLosesItWhenRotated() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Legacy admin");
        var key = createKey(owner.accessToken(), tenant, "old", "models");
        // as minted before the scope was retired
        try (var c = Api.superuser(); var s = c.prepareStatement(
                "update api_keys set scopes = array['models', 'admin'] where id = ?::uuid")) {
            s.setString(1, key.path("id"));
            assertThat(s.executeUpdate()).isOne();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }

        as(owner.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, key.path("id")).then()
                .statusCode(201).body("scopes", equalTo(List.of("models")));
        as(owner.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .body("data.find { it.action == 'api_key.rotated' }.details.dropped_scopes", equalTo(List.of("admin")));
    }

    @Test
    void revokingShowsInTheKeyAndTheLookupAndTwiceIsHarmless() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Revoke");
        var key = createKey(user.accessToken(), tenant, "old", "models");

        String revokedAt = as(user.accessToken())
                .post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then().statusCode(200)
                .body("revoked_at", notNullValue()).extract().path("revoked_at");
        as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then()
                .statusCode(200).body("revoked_at", equalTo(revokedAt));

        String seen = asGateway().get("/internal/v1/api-keys/{p}", key.<String>path("prefix")).then().statusCode(200)
                .extract().path("revoked_at");
        assertThat(Instant.parse(seen)).isEqualTo(Instant.parse(revokedAt));
        as(user.accessToken()).get("/api/v1/tenants/{t}/audit-events", tenant).then()
                .body("data.findAll { it.action == 'api_key.revoked' }.size()", equalTo(1));
    }

    @Test
    void rotatingIssuesANewSecretWithTheSameNameAndScopesAndRevokesTheOldKeyNow() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Rotate");
        var old = createKey(user.accessToken(), tenant, "svc", "models", "inference");

        var rotated = as(user.accessToken()).body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, old.path("id")).then().statusCode(201)
                .body("name", equalTo("svc"))
                .body("scopes", equalTo(List.of("models", "inference")))
                .body("rotated_from", equalTo(old.path("id")))
                .extract();
        assertThat(rotated.<String>path("key")).isNotEqualTo(old.path("key")).startsWith("mk_");
        assertThat(rotated.<String>path("prefix")).isNotEqualTo(old.path("prefix"));

        String oldRevokedAt = asGateway().get("/internal/v1/api-keys/{p}", old.<String>path("prefix")).then()
                .extract().path("revoked_at");
        assertThat(Instant.parse(oldRevokedAt)).isBeforeOrEqualTo(Instant.now());
        String newHash = asGateway().get("/internal/v1/api-keys/{p}", rotated.<String>path("prefix")).then()
                .statusCode(200).body("revoked_at", nullValue()).extract().path("hash");
        assertThat(ApiKeySecret.matches(rotated.path("key"), newHash)).isTrue();
    }

    @Test
    void rotatingWithAGraceKeepsTheOldKeyWorkingUntilThen() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Grace");
        var old = createKey(user.accessToken(), tenant, "svc", "models");
        Instant before = Instant.now();

        as(user.accessToken()).body(Map.of("grace_seconds", 3600))
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, old.path("id")).then().statusCode(201);

        Instant until = Instant.parse(as(user.accessToken())
                .get("/api/v1/tenants/{t}/api-keys/{k}", tenant, old.path("id")).then().extract().path("revoked_at"));
        assertThat(until).isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
    }

    @Test
    void aGraceLongerThanSevenDaysIsRefused() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Long grace");
        var old = createKey(user.accessToken(), tenant, "svc", "models");

        as(user.accessToken()).body(Map.of("grace_seconds", 8 * 24 * 3600))
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, old.path("id")).then().statusCode(400)
                .body("errors[0].field", equalTo("grace_seconds"));
        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().body("data.size()", equalTo(1));
    }

    @Test
    void aRevokedKeyCannotBeRotated() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Dead");
        var key = createKey(user.accessToken(), tenant, "svc", "models");
        as(user.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, key.path("id")).then()
                .statusCode(200);

        as(user.accessToken()).body(Map.of()).post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, key.path("id"))
                .then().statusCode(409).body("detail", containsString("create a new key"));
    }

    @Test
    void anUnknownKeyIsNotFound() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Empty");

        as(user.accessToken()).get("/api/v1/tenants/{t}/api-keys/{k}", tenant, UUID.randomUUID()).then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void developersManageKeysButViewersAndBillingOnlyLook() {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Roles");
        var developer = Api.memberWithRole(owner.accessToken(), tenant, "developer");
        var viewer = Api.memberWithRole(owner.accessToken(), tenant, "viewer");
        var billing = Api.memberWithRole(owner.accessToken(), tenant, "billing");

        String keyId = createKey(developer.accessToken(), tenant, "dev", "models").path("id");
        for (var lookOnly : List.of(viewer, billing)) {
            as(lookOnly.accessToken()).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200)
                    .body("data.size()", equalTo(1));
            as(lookOnly.accessToken()).body(Map.of("name", "x", "scopes", List.of("models")))
                    .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(403)
                    .body("detail", containsString("owner or admin or developer"));
            as(lookOnly.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, keyId).then()
                    .statusCode(403);
        }
        as(developer.accessToken()).post("/api/v1/tenants/{t}/api-keys/{k}/revoke", tenant, keyId).then()
                .statusCode(200);
    }
}
