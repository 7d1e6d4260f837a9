package dev.meridian.billing.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Writes a Kafka message in the caller's transaction; {@link OutboxRelay} publishes it after the commit. */
@ApplicationScoped
public class Outbox {

    @Inject
    EntityManager em;

    @Transactional(Transactional.TxType.MANDATORY)
    public void write(String topic, String key, String payload) {
        em.createNativeQuery("insert into outbox (id, topic, message_key, payload, created_at)"
                        + " values (:id, :topic, :key, :payload, :at)")
                .setParameter("id", UUID.randomUUID()).setParameter("topic", topic).setParameter("key", key)
                .setParameter("payload", payload).setParameter("at", OffsetDateTime.now())
                .executeUpdate();
    }
}
