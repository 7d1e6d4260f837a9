package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tenant's key from creation to rotation, through the real gateways, tenancy, Kafka and Keycloak. */
class ApiKeyLifecycleIT {

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
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Object lastUsed = null;
        while (lastUsed == null && System.nanoTime() < deadline) {
            lastUsed = user.api().get("/api/v1/tenants/{t}/api-keys/{k}", tenant, created.path("id"))
                    .then().statusCode(200).extract().path("last_used_at");
            if (lastUsed == null) {
                sleep(250);
            }
        }
        assertThat(lastUsed).as("last_used_at after a call through the gateway").isNotNull();
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
            Gateways.timeUntil(gateway, oldKey, r -> r.statusCode() == 401, Duration.ofSeconds(1));
            Gateways.listModels(gateway, newKey).then().statusCode(200);
        }
    }

    @Test
    void expiredKeyIsRefusedWithItsOwnErrorCode() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Expiry", "eu-central");
        String expiresAt = java.time.Instant.now().plusSeconds(3).toString();
        String key = user.api().body(Map.of("name", "short", "scopes", List.of("models"), "expires_at", expiresAt))
                .post("/api/v1/tenants/{t}/api-keys", tenant)
                .then().statusCode(201).extract().path("key");

        Gateways.listModels(SystemUnderTest.eu(), key).then().statusCode(200);
        Gateways.timeUntil(SystemUnderTest.eu(), key, r -> r.statusCode() == 401, Duration.ofSeconds(6));
        Gateways.listModels(SystemUnderTest.eu(), key).then()
                .statusCode(401)
                .body("error.code", org.hamcrest.Matchers.equalTo("api_key_expired"));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
