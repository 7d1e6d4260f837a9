package dev.meridian.billing.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.billing.budgets.service.BudgetAlerts;
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
 * Billing's outbox loses its published rows once older than the retention (7 days by default), as the app role the
 * service runs as; unpublished rows, however old, and recently published ones stay. Times are relative to the
 * injected clock, so the scheduled purge running during the test would keep and delete the same rows.
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

        assertThat(relay.purgePublished(now)).isGreaterThanOrEqualTo(2);

        assertThat(remaining(List.of(old, justPastRetention, recent, unpublished)))
                .containsExactlyInAnyOrder(recent, unpublished);
    }

    /** An outbox row as the relay would see it; with {@code publishedAt} null it still waits to be published. */
    private UUID insert(Instant createdAt, Instant publishedAt) {
        UUID id = UUID.randomUUID();
        String payload = "{\"id\":\"" + id + "\",\"tenant_id\":\"" + UUID.randomUUID() + "\",\"kind\":\"purge-test\"}";
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "insert into outbox (id, topic, message_key, payload, created_at, published_at)"
                        + " values (:id, :topic, :key, :payload, :created, :published)")
                .setParameter("id", id).setParameter("topic", BudgetAlerts.TOPIC).setParameter("key", id.toString())
                .setParameter("payload", payload).setParameter("created", createdAt)
                .setParameter("published", publishedAt).executeUpdate());
        return id;
    }

    private List<UUID> remaining(List<UUID> ids) {
        @SuppressWarnings("unchecked")
        List<UUID> found = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id from outbox where id in (:ids)", UUID.class).setParameter("ids", ids).getResultList());
        return found;
    }
}
