package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.models.finetune.Topics;
import dev.meridian.models.registry.metering.StorageMetering;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.OnnxModels;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Stored model bytes are billed by the day: each tenant's bytes of stored versions become one usage event on the real
 * broker's {@code usage.events}, once per day however often the day is metered.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class StorageMeteringIT {

    @Inject
    StorageMetering metering;
    @Inject
    EntityManager em;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theReplicaMetersYesterdayOnItsOwn() {
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        long rows = await("the replica's own check meters " + yesterday).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> QuarkusTransaction.requiringNew().call(
                        () -> ((Number) em.createNativeQuery("select count(*) from storage_meterings where day = :day")
                                .setParameter("day", yesterday).getSingleResult()).longValue()), n -> n > 0);
        assertThat(rows).as("yesterday is metered by the replica's own check").isEqualTo(1);
    }

    @Test
    void eachTenantsStoredBytesAreOneUsageEventPerDayAndADayIsMeteredOnce() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        byte[] first = OnnxModels.addConstant(1f);
        byte[] second = OnnxModels.addConstant(2f, 3f);
        byte[] theirs = OnnxModels.addConstant(4f, 5f, 6f);
        Registry.upload(tenant, "stored", first).post("/v1/models").then().statusCode(201);
        Registry.upload(tenant, "stored", second).post("/v1/models").then().statusCode(201);
        Registry.upload(other, "theirs", theirs).post("/v1/models").then().statusCode(201);
        // a day of its own, long past, so that the replica's own check (from the last day metered or yesterday to
        // yesterday) never claims it
        LocalDate day = LocalDate.of(1971, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(15_000));

        assertThat(metering.meter(day)).as("events written for %s", day).isGreaterThanOrEqualTo(2);

        Map<UUID, JsonNode> ofTheDay = new HashMap<>();
        Topics.readUntil(UsageEvent.TOPIC, r -> {
            JsonNode e = read(r.value());
            if (e.path("meter").asText().equals("stored_model_bytes")
                    && e.path("occurred_at").asText().startsWith(day + "T00:00")) {
                ofTheDay.put(UUID.fromString(e.path("tenant_id").asText()), e);
            }
            return ofTheDay.containsKey(tenant) && ofTheDay.containsKey(other);
        }, Duration.ofSeconds(30));
        JsonNode mine = ofTheDay.get(tenant);
        assertThat(mine.path("quantity").asLong()).isEqualTo(first.length + second.length);
        assertThat(mine.path("region").asText()).isEqualTo("eu-central");
        assertThat(mine.has("model")).isFalse();
        assertThat(mine.has("key_id")).isFalse();
        assertThat(ofTheDay.get(other).path("quantity").asLong()).isEqualTo(theirs.length);

        // again, as another replica or a restart would: nothing more is written for that day
        assertThat(metering.meter(day)).isZero();
        UUID id = UUID.fromString(mine.path("id").asText());
        long rows = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from registry_outbox where id = :id").setParameter("id", id).getSingleResult())
                .longValue());
        assertThat(rows).isEqualTo(1);
        // and the next day is a new event with a new id
        assertThat(metering.meter(day.plusDays(1))).isGreaterThanOrEqualTo(2);
        Topics.readUntil(UsageEvent.TOPIC, r -> {
            JsonNode e = read(r.value());
            return e.path("tenant_id").asText().equals(tenant.toString())
                    && e.path("occurred_at").asText().startsWith(day.plusDays(1) + "T00:00")
                    && !e.path("id").asText().equals(id.toString());
        }, Duration.ofSeconds(30));
    }

    private JsonNode read(String value) {
        try {
            return json.readTree(value);
        } catch (Exception e) {
            throw new AssertionError("not JSON on " + UsageEvent.TOPIC + ": " + value, e);
        }
    }
}
