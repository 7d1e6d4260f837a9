package dev.meridian.models.finetune.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.models.finetune.FineTuneOutboxMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records a message for Kafka in the caller's transaction (no dual write: it is published only if the job change
 * commits) and nudges the relay to publish it right after the commit.
 */
@ApplicationScoped
public class FineTuneOutbox {

    /** Fired inside the transaction; the relay observes it after a successful commit. */
    public record Written() {
    }

    @Inject
    ObjectMapper json;
    @Inject
    Event<Written> written;

    @Transactional(Transactional.TxType.MANDATORY)
    public void write(UUID id, String topic, String key, Object payload) {
        var message = new FineTuneOutboxMessage();
        message.id = id;
        message.topic = topic;
        message.messageKey = key;
        try {
            message.payload = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
        message.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        message.persist();
        written.fire(new Written());
    }
}
