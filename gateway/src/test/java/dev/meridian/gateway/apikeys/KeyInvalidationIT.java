package dev.meridian.gateway.apikeys;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
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

    private KafkaProducer<String, String> producer;

    @BeforeEach
    void connect() {
        // as tenancy publishes them: with its own principal
        producer = new KafkaProducer<>(TestStack.get().kafkaAs("tenancy", Map.of("acks", "all")),
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

    /** Fails unless every one of {@code dropped} has left the cache within {@code limit} (checked every 5 ms). */
    private void awaitDropped(String what, Duration limit, TestKeys.Seeded... dropped) {
        await(what).atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> Arrays.stream(dropped).noneMatch(k -> TestKeys.isCached(keys, k.prefix())));
    }

    @Test
    void revokedKeyIsDroppedWithinOneSecond() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        assertThat(TestKeys.isCached(keys, key.prefix())).isTrue();
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        awaitDropped("the revoked key left the cache", WITHIN, key);
    }

    @Test
    void aDroppedKeyIsLookedUpAgainNotServedFromMemory() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then().statusCode(200);
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        awaitDropped("the revoked key left the cache", WITHIN.multipliedBy(5), key);
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
        awaitDropped("both keys of the suspended tenant left the cache", WITHIN, first, second);
        assertThat(TestKeys.isCached(keys, bystander.prefix())).isTrue();
    }

    @Test
    void anUnreadableEventDoesNotStopTheListener() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        producer.send(new ProducerRecord<>(TenancyChange.TOPIC, "x", "{not json")).get();
        publish(TenancyChange.API_KEY_REVOKED, key.record().tenantId(), key);
        awaitDropped("the key revoked after an unreadable event left the cache", WITHIN, key);
    }
}
