package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * A gateway asks billing for a slice of what a tenant (or one of its keys) may still spend:
 * {@code POST /internal/v1/leases} on the billing service, with a service token. Billing answers a {@link QuotaLease}.
 *
 * @param tenantId the tenant whose budget and plan quotas apply
 * @param keyId the API key, when the key has its own budget; absent for the tenant-wide lease
 * @param gatewayId the asking gateway instance (a replica id), so billing can see and expire its leases
 * @param region the asking gateway's region
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseRequest(
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("gateway_id") String gatewayId,
        String region) {

    public static final String PATH = "/internal/v1/leases";
}
