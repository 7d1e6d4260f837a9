package dev.meridian.gateway.metering;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * While the broker is frozen the gateway keeps serving and spools usage events; once the broker is back every
 * event reaches {@code usage.events}. The producer's timeouts are short here, so the outage outlasts them: the
 * producer gives up, is replaced, and the spool is sent again from the oldest unacknowledged event.
 */
@QuarkusTest
@TestProfile(UsageSpoolOutageIT.ShortKafkaTimeouts.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class UsageSpoolOutageIT {

    static final int CALLS = 40;

    public static class ShortKafkaTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "meridian.gateway.metering.kafka-request-timeout", "1s",
                    "meridian.gateway.metering.kafka-delivery-timeout", "3s",
                    "meridian.gateway.metering.spool-dir", "target/spool/outage-" + UUID.randomUUID());
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInInference.class));
        }
    }

    @Inject
    KeyDirectory keys;
    @Inject
    UsagePublisher publisher;

    @Test
    void callsServedWhileKafkaIsDownAreAllPublishedOnceItIsBack() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().limitedTo(1000, 1000));
        UUID tenant = key.record().tenantId();
        long publishedBefore = publisher.published();
        try (var outage = FrozenBroker.freeze()) {
            for (int i = 0; i < CALLS; i++) {
                given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                        .body(Map.of("model", "all-minilm-l6-v2", "input", "call " + i))
                        .post("/v1/embeddings").then().statusCode(200);
            }
            // The outage must outlast the producer's delivery timeout: a send fails for good, so the producer is
            // replaced and the spool re-sent from the oldest unacknowledged event.
            await("a send to the frozen broker failed").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(publisher::brokerFailing);
            assertThat(publisher.published()).as("nothing reached the frozen broker").isEqualTo(publishedBefore);
            assertThat(publisher.backlog()).as("every event waits in the spool").isGreaterThanOrEqualTo(3L * CALLS);
            assertThat(publisher.brokerFailing()).isTrue();
        }

        Predicate<List<UsageEvent>> allRequests = events -> events.stream()
                .filter(e -> e.meter() == Meter.REQUESTS).map(UsageEvent::id).distinct().count() >= CALLS;
        var events = UsageTopic.of(tenant, allRequests, Duration.ofSeconds(60));
        var requests = events.stream().filter(e -> e.meter() == Meter.REQUESTS).toList();
        assertThat(requests.stream().map(UsageEvent::id).distinct().count()).as("one request event per call")
                .isEqualTo(CALLS);
        assertThat(requests).extracting(UsageEvent::quantity).containsOnly(1L);
        // No order check here: this outage outlasts the delivery timeout, so sends that expired are re-sent after
        // later ones already delivered (billing does not depend on order). UsageReplayIT checks the replay order.
        assertThat(events.stream().filter(e -> e.meter() == Meter.INPUT_TOKENS).map(UsageEvent::id).distinct()
                .count()).isEqualTo(CALLS);
        System.out.printf("[usage outage] %d calls, %d request events received (%d duplicates of a re-send)%n",
                CALLS, requests.size(), requests.size() - CALLS);
        awaitEmptyBacklog();
    }

    private void awaitEmptyBacklog() {
        await("the spool is empty once Kafka acknowledged everything").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(publisher.backlog()).isZero());
    }
}
