package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tenant's key from creation to rotation, through the real gateways, tenancy, Kafka and Keycloak. */
class ApiKeyLifecycleIT {

    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(3);

    @Test
    void signedUpUserCreatesTenantAndKeyThatWorksOnBothRegionalGateways() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Acme", "eu-central");
        String key = user.createKeySecret(tenant, List.of("inference", "models"));

        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Gateways.listModels(gateway, key).then()
                    .statusCode(200)
                    .body("object", org.hamcrest.Matchers.equalTo("list"))
                    .body("data.id", hasItems("all-minilm-l6-v2", "bge-small-en-v1.5"));
        }
    }

    @Test
    void keyListShowsPrefixAndLastUseButNeverTheSecret() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Listing", "eu-central");
        var created = user.createKey(tenant, "ci", List.of("models"));
        String key = created.path("key");
        String prefix = created.path("prefix");

        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);

        String body = user.api().get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200).extract().asString();
        assertThat(body).contains(prefix).doesNotContain(key).doesNotContain("hash");
        // The gateway reports use in batches; the list shows it within a few seconds.
        await("last_used_at of key " + prefix + " after a call through the gateway")
                .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> user.api().get("/api/v1/tenants/{t}/api-keys/{k}", tenant, created.path("id"))
                        .then().statusCode(200).extract().path("last_used_at"),
                        lastUsed -> assertThat(lastUsed).as("last_used_at after a call through the gateway")
                                .isNotNull());
    }

    @Test
    void rotatedKeyReplacesTheOldOneEverywhere() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Rotation", "eu-central");
        var created = user.createKey(tenant, "svc", List.of("models"));
        String oldKey = created.path("key");
        Gateways.listModels(SystemUnderTest.eu(), oldKey).then().statusCode(200);
        Gateways.listModels(SystemUnderTest.us(), oldKey).then().statusCode(200);

        var rotated = user.api().body(Map.of())
                .post("/api/v1/tenants/{t}/api-keys/{k}/rotate", tenant, created.path("id"))
                .then().statusCode(201).extract();
        String newKey = rotated.path("key");
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat((String) rotated.path("name")).isEqualTo("svc");

        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            Gateways.timeUntil(gateway, oldKey, "refuses the rotated-out key", r -> r.statusCode() == 401,
                    Duration.ofSeconds(1));
            Gateways.listModels(gateway, newKey).then().statusCode(200);
        }
    }

    @Test
    void expiredKeyIsRefusedWithItsOwnErrorCode() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Expiry", "eu-central");
        // Long enough that creating the key and the first call fit in it on a slow, shared machine.
        Instant expiresAt = Instant.now().plus(Duration.ofSeconds(10));
        String key = user.api()
                .body(Map.of("name", "short", "scopes", List.of("models"), "expires_at", expiresAt.toString()))
                .post("/api/v1/tenants/{t}/api-keys", tenant)
                .then().statusCode(201).extract().path("key");

        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        // The gateway checks expiry on each call against its clock (the machine's, as the test's): it refuses the key
        // from expiresAt on; the margin covers a call in flight at that moment.
        Duration untilExpiry = Duration.between(Instant.now(), expiresAt);
        await("gateway " + SystemUnderTest.eu() + " refuses the key that expired at " + expiresAt)
                .atMost(untilExpiry.isNegative() ? EXPIRY_MARGIN : untilExpiry.plus(EXPIRY_MARGIN))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> Gateways.listModels(SystemUnderTest.eu(), key),
                        r -> assertThat(r.statusCode()).as("answer %s", r.asString()).isEqualTo(401));
        Gateways.listModels(SystemUnderTest.eu(), key).then()
                .statusCode(401)
                .body("error.code", org.hamcrest.Matchers.equalTo("api_key_expired"));
    }
}
