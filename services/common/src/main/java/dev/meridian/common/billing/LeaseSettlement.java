package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a gateway spent from a {@link QuotaLease} when it lets the lease go (exhausted, expired or at shutdown):
 * {@code POST /internal/v1/leases/{lease_id}/settle}. Billing releases the unspent rest of the slice. The spend itself
 * is billed from usage events, not from this; settlement only frees the reservation. Settling twice is harmless.
 *
 * @param spentNanos money spent from the lease, in nano-minor units
 * @param spentQuantities quantity spent per meter wire name
 */
public record LeaseSettlement(
        @JsonProperty("spent_nanos") long spentNanos,
        @JsonProperty("spent_quantities") Map<String, Long> spentQuantities) {

    public static String path(java.util.UUID leaseId) {
        return LeaseRequest.PATH + "/" + leaseId + "/settle";
    }
}
