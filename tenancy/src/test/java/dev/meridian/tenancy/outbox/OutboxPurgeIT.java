package dev.meridian.tenancy.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Published outbox rows are deleted once older than the retention (7 days by default); unpublished rows, however old,
 * and recently published ones stay. Times are relative to the service's clock, so the scheduled purge running during
 * the test would keep and delete the same rows.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class OutboxPurgeIT {

    private static final Duration RETENTION = Duration.ofDays(7);

    @Inject
    OutboxRelay relay;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    @Test
    void publishedRowsOlderThanTheRetentionAreDeletedAndUnpublishedOrRecentOnesKept() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        UUID old = insert(now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(30)));
        UUID justPastRetention = insert(now.minus(Duration.ofDays(8)), now.minus(RETENTION).minusSeconds(60));
        UUID recent = insert(now.minus(Duration.ofDays(8)), now.minus(RETENTION).plusSeconds(3600));
        UUID unpublished = insert(now.minus(Duration.ofDays(365)), null);

        relay.purgePublished(now);

        assertThat(remaining(List.of(old, justPastRetention, recent, unpublished)))
                .containsExactlyInAnyOrder(recent, unpublished);
    }

    @Test
    void aBacklogOfSeveralBatchesIsPurgedWhole() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant published = now.minus(Duration.ofDays(20));
        int rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "insert into outbox (id, topic, message_key, payload, created_at, published_at)"
                        + " select gen_random_uuid(), :topic, 'purge-test', '{}'::jsonb, :at, :at"
                        + " from generate_series(1, 2500)")
                .setParameter("topic", TenancyChange.TOPIC).setParameter("at", published).executeUpdate());
        assertThat(rows).isEqualTo(2500);

        assertThat(relay.purgePublished(now)).isGreaterThanOrEqualTo(2500);

        long left = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from outbox where published_at <= :at").setParameter("at", published)
                .getSingleResult()).longValue());
        assertThat(left).isZero();
    }

    /** An outbox row as the relay would see it; with {@code publishedAt} null it still waits to be published. */
    private UUID insert(Instant createdAt, Instant publishedAt) {
        UUID id = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        String payload = "{\"id\":\"" + id + "\",\"type\":\"" + TenancyChange.TENANT_UPDATED + "\",\"tenant_id\":\""
                + tenant + "\",\"occurred_at\":\"" + createdAt + "\"}";
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "insert into outbox (id, topic, message_key, payload, created_at, published_at)"
                        + " values (:id, :topic, :key, cast(:payload as jsonb), :created, :published)")
                .setParameter("id", id).setParameter("topic", TenancyChange.TOPIC)
                .setParameter("key", tenant.toString()).setParameter("payload", payload)
                .setParameter("created", createdAt).setParameter("published", publishedAt)
                .executeUpdate());
        return id;
    }

    private List<UUID> remaining(List<UUID> ids) {
        @SuppressWarnings("unchecked")
        List<UUID> found = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id from outbox where id in (:ids)", UUID.class).setParameter("ids", ids).getResultList());
        return found;
    }
}
