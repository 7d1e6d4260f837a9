package dev.meridian.models.registry.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.ModelChange;
import dev.meridian.models.RegistryOutboxMessage;
import dev.meridian.models.config.ModelsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records a model change for the region's inference services in the caller's transaction (published only if the
 * change commits) and nudges the relay to publish it right after the commit.
 */
@ApplicationScoped
public class ModelChanges {

    /** Fired inside the transaction; the relay observes it after a successful commit. */
    public record Written() {
    }

    @Inject
    ObjectMapper json;
    @Inject
    ModelsConfig config;
    @Inject
    Event<Written> written;

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String type, UUID tenantId, String model, Integer version) {
        var change = new ModelChange(UUID.randomUUID(), type, tenantId, model, version,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        var message = new RegistryOutboxMessage();
        message.id = change.id();
        message.topic = ModelChange.topic(config.region());
        message.messageKey = tenantId.toString();
        try {
            message.payload = json.writeValueAsString(change);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + change, e);
        }
        message.createdAt = change.occurredAt();
        message.persist();
        written.fire(new Written());
    }
}
