package dev.meridian.billing.outbox;

import dev.meridian.common.outbox.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Writes a Kafka message in the caller's transaction; the {@link OutboxRelay} publishes it after the commit. */
@ApplicationScoped
public class Outbox {

    @Inject
    OutboxRelay relay;

    @Transactional(Transactional.TxType.MANDATORY)
    public void write(String topic, String key, String payload) {
        relay.write(UUID.randomUUID(), topic, key, payload, Instant.now());
    }
}
