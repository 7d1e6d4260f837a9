package dev.meridian.common.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * An event on the {@code billing.plans} topic (keyed by tenant id): billing, which owns each tenant's plan, changed
 * it. Tenancy keeps a copy of the plan for the gateways' rate limits and applies these events. {@code version}
 * counts the tenant's plan changes in billing (1, 2, ...): a consumer applies an event only when its version is
 * newer than the one it has, so replays, duplicates and late deliveries change nothing. Published through billing's
 * outbox; carries no prices or other terms.
 */
public record PlanChange(
        UUID id,
        @JsonProperty("tenant_id") UUID tenantId,
        String plan,
        long version,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TOPIC = "billing.plans";
}
