package dev.meridian.billing;

import static dev.meridian.billing.Api.asKeyOf;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.awaitUsageConsumerAssigned;
import static dev.meridian.billing.Api.event;
import static dev.meridian.billing.Api.publish;
import static dev.meridian.billing.Api.storedQuantity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.meridian.billing.usage.service.UsageRetention;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Usage from Kafka into hourly figures: exactly once, in the hour of the event's own time, tenant by tenant. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class UsageIngestionIT {

    @Inject
    Clock clock;
    @Inject
    KafkaClientService clients;
    @Inject
    UsageRetention retention;

    @BeforeEach
    void usageFlows() {
        awaitUsageConsumerAssigned();
    }

    @Test
    void theSameEventsReplayedTwiceBillOnce() throws Exception {
        UUID tenant = UUID.randomUUID();
        Instant now = clock.instant();
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(event(tenant, Meter.INPUT_TOKENS, 7, now));
        }
        publish(events);
        assertThat(awaitQuantity(tenant, Meter.INPUT_TOKENS, 3500)).isEqualTo(3500);
        publish(events);
        publish(events.subList(0, 100));
        // a marker after the replays: once it is in, the replays before it on the same partition were consumed too
        publish(List.of(event(tenant, Meter.REQUESTS, 1, now)));
        assertThat(awaitQuantity(tenant, Meter.REQUESTS, 1)).isEqualTo(1);
        assertThat(storedQuantity(tenant, Meter.INPUT_TOKENS)).isEqualTo(3500);

        asKeyOf(tenant, "billing:read").get("/api/v1/billing/usage").then().statusCode(200)
                .body("data", hasSize(2))
                .body("data.find { it.meter == 'input_tokens' }.quantity", equalTo(3500))
                .body("data.find { it.meter == 'input_tokens' }.events", equalTo(500));
    }

    @Test
    void rawUsagePastItsRetentionLosesItsIdButNotItsHourAndSoOldAnEventIsNeverBilled() throws Exception {
        UUID tenant = UUID.randomUUID();
        Instant now = clock.instant();
        UsageEvent tenDaysAgo = event(tenant, Meter.EMBEDDED_ITEMS, 5, now.minus(Duration.ofDays(10)));
        UsageEvent recent = event(tenant, Meter.EMBEDDED_ITEMS, 7, now);
        publish(List.of(tenDaysAgo, recent));
        assertThat(awaitQuantity(tenant, Meter.EMBEDDED_ITEMS, 12)).isEqualTo(12);

        // 395 days on, the event of ten days ago is past the 400-day retention; the recent one is not
        assertThat(retention.purge(now.plus(Duration.ofDays(395)))).isGreaterThanOrEqualTo(1);
        assertThat(count("select count(*) from billing.usage_events where id = ?", tenDaysAgo.id())).isZero();
        assertThat(count("select count(*) from billing.usage_events where id = ?", recent.id())).isEqualTo(1);
        assertThat(storedQuantity(tenant, Meter.EMBEDDED_ITEMS)).as("the hourly figures stay").isEqualTo(12);

        // an event older than the retention, new or a replay, is not billed: its id may be gone already
        publish(List.of(event(tenant, Meter.REQUESTS, 100, now.minus(Duration.ofDays(401))),
                event(tenant, Meter.REQUESTS, 1, now)));
        assertThat(awaitQuantity(tenant, Meter.REQUESTS, 1)).isEqualTo(1);
        assertThat(storedQuantity(tenant, Meter.REQUESTS)).isEqualTo(1);
    }

    @Test
    void aLateEventIsBilledInTheHourItHappened() throws Exception {
        UUID tenant = UUID.randomUUID();
        Instant now = clock.instant();
        Period lastMonth = Period.containing(now).previous();
        Instant lastMomentOfLastMonth = lastMonth.end().minusMillis(1);
        publish(List.of(event(tenant, Meter.EMBEDDED_ITEMS, 5, now),
                event(tenant, Meter.EMBEDDED_ITEMS, 3, lastMomentOfLastMonth)));
        assertThat(awaitQuantity(tenant, Meter.EMBEDDED_ITEMS, 8)).isEqualTo(8);

        asKeyOf(tenant, "billing:read")
                .queryParam("from", lastMonth.start().toString()).queryParam("to", lastMonth.end().toString())
                .queryParam("group_by", "hour,model")
                .get("/api/v1/billing/usage").then().statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].hour", equalTo(lastMomentOfLastMonth.truncatedTo(ChronoUnit.HOURS).toString()))
                .body("data[0].model", equalTo("bge-small-en-v1.5"))
                .body("data[0].quantity", equalTo(3));
        Instant today = now.truncatedTo(ChronoUnit.DAYS);
        asKeyOf(tenant, "billing:read").queryParam("from", today.toString())
                .queryParam("to", today.plus(1, ChronoUnit.DAYS).toString()).queryParam("group_by", "day")
                .get("/api/v1/billing/usage").then()
                .statusCode(200).body("data", hasSize(1)).body("data[0].quantity", equalTo(5))
                .body("data[0].day", equalTo(today.toString()));
    }

    /**
     * Makes every usage consumer give up its partitions and rejoin the group, as when a billing replica starts or
     * stops: the batches it had fetched but not acknowledged are consumed again from the group's committed offsets.
     * (A crash of the whole process is {@link BillingProcessCrashIT}.)
     */
    private void rebalance() {
        // with concurrency, the channel's consumers are those of its copies usage-events$1, $2, ...
        List<KafkaConsumer<Object, Object>> consumers = clients.getConsumerChannels().stream()
                .filter(channel -> channel.equals("usage-events") || channel.startsWith("usage-events$"))
                .flatMap(channel -> clients.<Object, Object>getConsumers(channel).stream()).toList();
        assertThat(consumers).as("billing's usage consumers").isNotEmpty();
        for (KafkaConsumer<Object, Object> c : consumers) {
            c.runOnPollingThread(kafka -> {
                kafka.enforceRebalance();
            }).await().atMost(Duration.ofSeconds(30));
        }
    }

    @Test
    void aConsumerGroupRebalancedMidStreamLosesAndDuplicatesNothing() throws Exception {
        UUID tenant = UUID.randomUUID();
        Instant now = clock.instant();
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(event(tenant, Meter.REQUESTS, 1, now));
        }
        Thread publisher = Thread.ofPlatform().start(() -> publish(events));
        // rebalance while the stream is being consumed, several times, then let it finish
        for (int i = 0; i < 3; i++) {
            long reached = (i + 1) * 4000L;
            await("billing to ingest " + reached + " of the 20,000 events before rebalance " + (i + 1))
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> storedQuantity(tenant, Meter.REQUESTS) >= reached);
            rebalance();
            awaitUsageConsumerAssigned();
        }
        publisher.join();
        assertThat(awaitQuantity(tenant, Meter.REQUESTS, 20_000)).isEqualTo(20_000);
        // a marker after the stream, on the tenant's partition: once it is in, every replay of an offset the stopped
        // consumers had not committed (all before the marker) was consumed too, and must have changed nothing
        publish(List.of(event(tenant, Meter.EMBEDDED_ITEMS, 1, now)));
        assertThat(awaitQuantity(tenant, Meter.EMBEDDED_ITEMS, 1)).isEqualTo(1);
        assertThat(storedQuantity(tenant, Meter.REQUESTS)).isEqualTo(20_000);
    }

    @Test
    void anotherTenantsUsageIs404AndAKeyWithoutTheScopeIs403() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        publish(List.of(event(theirs, Meter.REQUESTS, 1, clock.instant())));
        asKeyOf(mine, "billing:read").queryParam("tenant_id", theirs.toString()).get("/api/v1/billing/usage")
                .then().statusCode(404).contentType("application/problem+json");
        asKeyOf(mine, "inference,models").get("/api/v1/billing/usage").then().statusCode(403)
                .body("detail", containsString("billing:read"));
    }

    @Test
    void badParametersSayWhatToFix() {
        UUID tenant = UUID.randomUUID();
        asKeyOf(tenant, "billing:read").queryParam("group_by", "colour").get("/api/v1/billing/usage").then()
                .statusCode(400).body("detail", containsString("unknown dimension 'colour'"));
        asKeyOf(tenant, "billing:read").queryParam("from", "yesterday").get("/api/v1/billing/usage").then()
                .statusCode(400).body("detail", containsString("ISO-8601"));
        io.restassured.RestAssured.given().get("/api/v1/billing/usage").then().statusCode(401);
    }

    private static long count(String sql, Object... params) throws java.sql.SQLException {
        try (var c = Api.superuser(); var statement = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (var r = statement.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
