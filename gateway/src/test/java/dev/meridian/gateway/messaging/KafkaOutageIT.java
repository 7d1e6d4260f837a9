package dev.meridian.gateway.messaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A gateway whose Kafka is away keeps serving the keys it knows and stays ready. */
@QuarkusTest
@TestProfile(KafkaOutageIT.NoKafka.class)
class KafkaOutageIT {

    /** Kafka (and Keycloak, which these tests do not need) at closed ports; no shared test servers. */
    public static class NoKafka implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kafka.bootstrap.servers", "127.0.0.1:9",
                    "meridian.kafka.password", "unused",
                    "quarkus.oidc.auth-server-url", "http://127.0.0.1:9/realms/meridian",
                    "quarkus.oidc-client.auth-server-url", "http://127.0.0.1:9/realms/meridian",
                    "quarkus.oidc.connection-delay", "0S",
                    "quarkus.oidc-client.connection-delay", "0S",
                    "quarkus.oidc-client.credentials.secret", "unused");
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Inject
    KeyDirectory keys;
    @Inject
    TenancyChangesListener listener;

    @Test
    void aCachedKeyIsServedWhileKafkaIsDown() {
        var key = TestKeys.seedNow(keys, TestKeys.Spec.active());
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(200)
                .body("object", equalTo("list"));
    }

    @Test
    void theGatewayStaysReadyAndSaysItIsNotListening() {
        given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway' }.data.listening_to_tenancy_changes", equalTo(false));
    }
}
