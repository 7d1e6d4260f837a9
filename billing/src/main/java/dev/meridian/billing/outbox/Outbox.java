package dev.meridian.billing.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Writes a Kafka message in the caller's transaction; {@link OutboxRelay} publishes it after the commit. */
@ApplicationScoped
public class Outbox {

    /** Fired inside the transaction; the relay observes it after a successful commit and publishes at once. */
    public record Written() {
    }

    @Inject
    EntityManager em;
    @Inject
    Event<Written> written;

    @Transactional(Transactional.TxType.MANDATORY)
    public void write(String topic, String key, String payload) {
        em.createNativeQuery("insert into outbox (id, topic, message_key, payload, created_at)"
                        + " values (:id, :topic, :key, :payload, :at)")
                .setParameter("id", UUID.randomUUID()).setParameter("topic", topic).setParameter("key", key)
                .setParameter("payload", payload).setParameter("at", OffsetDateTime.now())
                .executeUpdate();
        written.fire(new Written());
    }
}
