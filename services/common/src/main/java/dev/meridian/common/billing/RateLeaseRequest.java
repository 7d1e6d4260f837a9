package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * A gateway asks billing for the next slice of an API key's rate limit: {@code POST /internal/v1/rate-leases} on the
 * billing service, with a service token. Billing holds one token bucket per key for all gateways of all regions and
 * answers a {@link RateLease} with up to {@code want} of its tokens.
 *
 * @param tenantId the tenant the key belongs to
 * @param keyId the API key (or, for a signed-in member's call, the membership id) whose bucket applies
 * @param gatewayId the asking gateway replica
 * @param want how many requests the gateway wants to be able to admit (1 to {@code burst})
 * @param requestsPerSecond the key's plan rate, as tenancy gave it to the gateway
 * @param burst the key's plan burst: the most requests its bucket holds
 */
public record RateLeaseRequest(
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("gateway_id") String gatewayId,
        int want,
        @JsonProperty("requests_per_second") int requestsPerSecond,
        int burst) {

    public static final String PATH = "/internal/v1/rate-leases";
    /** The largest rate and burst billing accepts: a plan's limit far above any real one is a mistake, not a plan. */
    public static final int MAX_RATE = 1_000_000;
}
