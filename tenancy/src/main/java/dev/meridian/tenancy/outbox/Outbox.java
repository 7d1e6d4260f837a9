package dev.meridian.tenancy.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.tenancy.StoredTime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Records a change for the gateways in the caller's transaction (no dual write: it is published only if the change
 * commits); the relay publishes it right after the commit.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    ObjectMapper json;

    @Inject
    OutboxRelay relay;

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
        try {
            relay.write(change.id(), TenancyChange.TOPIC, change.tenantId().toString(),
                    json.writeValueAsString(change), change.occurredAt());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + change, e);
        }
    }
}
