package dev.meridian.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.meridian.common.billing.Meter;
import java.time.Instant;
import java.util.UUID;

/**
 * One metered quantity on the {@code usage.events} topic (keyed by tenant id). Published by gateways (per call) and
 * workers (per training job) with idempotent, {@code acks=all} producers; billing consumes it idempotently by
 * {@code id} and bills it in the hour of {@code occurredAt}, however late it arrives. Never carries content.
 *
 * @param id unique per event: a replay or duplicate of the same event has the same id
 * @param tenantId the tenant billed
 * @param region the region where the usage happened (the tenant's home region for served calls)
 * @param meter what was used
 * @param quantity how much, in the meter's unit (see {@link Meter}); never negative
 * @param model the model used, when there was one
 * @param keyId the API key that made the call, or the membership id of a signed-in member's call (the console's);
 *              absent for training jobs
 * @param occurredAt when the usage happened (not when it was published)
 * @param source who measured it, e.g. {@code gateway:eu-central:host-1} or {@code worker:eu-central:job-...}
 * @param traceParent the W3C trace context of the call that used it, when it was traced: the gateway keeps it with the
 *                    event in its spool and sends it as the record's {@code traceparent} header, so billing's
 *                    ingestion joins the call's trace
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageEvent(
        UUID id,
        @JsonProperty("tenant_id") UUID tenantId,
        String region,
        Meter meter,
        long quantity,
        String model,
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("occurred_at") Instant occurredAt,
        String source,
        @JsonProperty("traceparent") String traceParent) {

    public static final String TOPIC = "usage.events";

    /** An event outside any trace. */
    public UsageEvent(UUID id, UUID tenantId, String region, Meter meter, long quantity, String model, UUID keyId,
            Instant occurredAt, String source) {
        this(id, tenantId, region, meter, quantity, model, keyId, occurredAt, source, null);
    }

    public UsageEvent {
        if (quantity < 0) {
            throw new IllegalArgumentException("usage quantity must not be negative, got " + quantity);
        }
    }
}
