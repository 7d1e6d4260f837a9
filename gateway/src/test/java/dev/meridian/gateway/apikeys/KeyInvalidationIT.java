package dev.meridian.gateway.apikeys;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events on the real {@code tenancy.changes} topic drop cached keys within a second. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class KeyInvalidationIT {

    private static final Duration WITHIN = Duration.ofSeconds(1);

    @Inject
    KeyDirectory keys;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, String> producer;

    @BeforeEach
    void connect() {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new StringSerializer());
        TestKeys.awaitListener();
    }

    @AfterEach
    void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private void publish(String type, UUID tenant, TestKeys.Seeded key) throws Exception {
        var change = new TenancyChange(UUID.randomUUID(), type, tenant, key == null ? null : key.record().keyId(),
                key == null ? null : key.prefix(), null, null, Instant.now());
        producer.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(), json.writeValueAsString(change)))
                .get();
    }

    private static Duration timeUntil(BooleanSupplier done, Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - start > limit.multipliedBy(5).toNanos()) {
                break;
            }
            Thread.sleep(5);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void revokedKeyIsDroppedWithinOneSecond() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        assertThat(TestKeys.isCached(keys, key.prefix())).isTrue();
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        assertThat(timeUntil(() -> !TestKeys.isCached(keys, key.prefix()), WITHIN)).isLessThan(WITHIN);
    }

    @Test
    void aDroppedKeyIsLookedUpAgainNotServedFromMemory() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then().statusCode(200);
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        timeUntil(() -> !TestKeys.isCached(keys, key.prefix()), WITHIN);
        // tenancy is unreachable in this test, so a lookup shows as 503
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then().statusCode(503);
    }

    @Test
    void suspendedTenantLosesEveryCachedKeyAndOthersKeepTheirs() throws Exception {
        UUID tenant = UUID.randomUUID();
        var first = TestKeys.seed(keys, TestKeys.Spec.active().withTenant(tenant));
        var second = TestKeys.seed(keys, TestKeys.Spec.active().withTenant(tenant));
        var bystander = TestKeys.seed(keys, TestKeys.Spec.active());
        publish(TenancyChange.TENANT_SUSPENDED, tenant, null);
        assertThat(timeUntil(() -> !TestKeys.isCached(keys, first.prefix())
                && !TestKeys.isCached(keys, second.prefix()), WITHIN)).isLessThan(WITHIN);
        assertThat(TestKeys.isCached(keys, bystander.prefix())).isTrue();
    }

    @Test
    void anUnreadableEventDoesNotStopTheListener() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        producer.send(new ProducerRecord<>(TenancyChange.TOPIC, "x", "{not json")).get();
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        assertThat(timeUntil(() -> !TestKeys.isCached(keys, key.prefix()), WITHIN)).isLessThan(WITHIN);
    }
}
