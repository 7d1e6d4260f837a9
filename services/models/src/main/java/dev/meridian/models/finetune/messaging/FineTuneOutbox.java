package dev.meridian.models.finetune.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.models.config.OutboxRelays;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records a message for Kafka in the caller's transaction (no dual write: it is published only if the job change
 * commits); the relay publishes it right after the commit.
 */
@ApplicationScoped
public class FineTuneOutbox {

    @Inject
    ObjectMapper json;
    @Inject
    @Identifier(OutboxRelays.FINETUNE)
    OutboxRelay relay;

    @Transactional(Transactional.TxType.MANDATORY)
    public void write(UUID id, String topic, String key, Object payload) {
        try {
            relay.write(id, topic, key, json.writeValueAsString(payload), Instant.now().truncatedTo(ChronoUnit.MICROS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
    }
}
