package dev.meridian.models.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.events.ModelChange;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.models.config.OutboxRelays;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * Both outboxes of the models service ({@code registry_outbox}, {@code finetune_outbox}) lose their published rows
 * once older than the retention (7 days by default); unpublished rows, however old, and recently published ones stay.
 * Times are relative to the service's clock, so the scheduled purge running during the test would keep and delete the
 * same rows.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class OutboxPurgeIT {

    private static final Duration RETENTION = Duration.ofDays(7);

    @Inject
    @Identifier(OutboxRelays.REGISTRY)
    OutboxRelay registryRelay;
    @Inject
    @Identifier(OutboxRelays.FINETUNE)
    OutboxRelay fineTuneRelay;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    @Test
    void theRegistryOutboxLosesOnlyRowsPublishedBeforeTheRetention() {
        purgesOnlyOldPublishedRows("registry_outbox", ModelChange.topic("eu-central"), registryRelay::purgePublished);
    }

    @Test
    void theFineTuningOutboxLosesOnlyRowsPublishedBeforeTheRetention() {
        purgesOnlyOldPublishedRows("finetune_outbox", FineTuneTopics.control("eu-central"),
                fineTuneRelay::purgePublished);
    }

    private void purgesOnlyOldPublishedRows(String table, String topic, ToLongFunction<Instant> purge) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        UUID old = insert(table, topic, now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(30)));
        UUID justPastRetention = insert(table, topic, now.minus(Duration.ofDays(8)),
                now.minus(RETENTION).minusSeconds(60));
        UUID recent = insert(table, topic, now.minus(Duration.ofDays(8)), now.minus(RETENTION).plusSeconds(3600));
        UUID unpublished = insert(table, topic, now.minus(Duration.ofDays(365)), null);

        assertThat(purge.applyAsLong(now)).isGreaterThanOrEqualTo(2);

        assertThat(remaining(table, List.of(old, justPastRetention, recent, unpublished)))
                .containsExactlyInAnyOrder(recent, unpublished);
    }

    /** An outbox row as the relay would see it; with {@code publishedAt} null it still waits to be published. */
    private UUID insert(String table, String topic, Instant createdAt, Instant publishedAt) {
        UUID id = UUID.randomUUID();
        String payload = "{\"id\":\"" + id + "\",\"type\":\"purge-test\",\"tenant_id\":\"" + UUID.randomUUID()
                + "\"}";
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into " + table
                        + " (id, topic, message_key, payload, created_at, published_at)"
                        + " values (:id, :topic, :key, cast(:payload as jsonb), :created, :published)")
                .setParameter("id", id).setParameter("topic", topic).setParameter("key", id.toString())
                .setParameter("payload", payload).setParameter("created", createdAt)
                .setParameter("published", publishedAt).executeUpdate());
        return id;
    }

    private List<UUID> remaining(String table, List<UUID> ids) {
        @SuppressWarnings("unchecked")
        List<UUID> found = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id from " + table + " where id in (:ids)", UUID.class).setParameter("ids", ids)
                .getResultList());
        return found;
    }
}
