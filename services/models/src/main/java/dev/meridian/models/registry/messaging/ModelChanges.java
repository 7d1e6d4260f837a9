package dev.meridian.models.registry.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.ModelChange;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.config.OutboxRelays;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records a model change for the region's inference services in the caller's transaction (published only if the
 * change commits); the relay publishes it right after the commit.
 */
@ApplicationScoped
public class ModelChanges {

    @Inject
    ObjectMapper json;
    @Inject
    ModelsConfig config;
    @Inject
    @Identifier(OutboxRelays.REGISTRY)
    OutboxRelay relay;

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String type, UUID tenantId, String model, Integer version) {
        var change = new ModelChange(UUID.randomUUID(), type, tenantId, model, version,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        try {
            relay.write(change.id(), ModelChange.topic(config.region()), tenantId.toString(),
                    json.writeValueAsString(change), change.occurredAt());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + change, e);
        }
    }
}
