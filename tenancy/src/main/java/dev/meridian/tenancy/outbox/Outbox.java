package dev.meridian.tenancy.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.tenancy.OutboxMessage;
import dev.meridian.tenancy.StoredTime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Records a change for the gateways in the caller's transaction (no dual write: it is published only if the change
 * commits) and nudges the relay to publish it right after the commit.
 */
@ApplicationScoped
public class Outbox {

    /** Fired inside the transaction; the relay observes it after a successful commit. */
    public record Written() {
    }

    @Inject
    ObjectMapper json;

    @Inject
    Event<Written> written;

    @Transactional(Transactional.TxType.MANDATORY)
    public void tenancyChange(String type, UUID tenantId, UUID keyId, String keyPrefix) {
        write(new TenancyChange(UUID.randomUUID(), type, tenantId, keyId, keyPrefix, null, null, StoredTime.now()));
    }

    /** {@code tenant.created}, with the plan and home region billing opens the tenant's account with. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void tenantCreated(UUID tenantId, String plan, String homeRegion) {
        write(TenancyChange.tenantCreated(UUID.randomUUID(), tenantId, plan, homeRegion, StoredTime.now()));
    }

    private void write(TenancyChange change) {
        var message = new OutboxMessage();
        message.id = change.id();
        message.topic = TenancyChange.TOPIC;
        message.messageKey = change.tenantId().toString();
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
