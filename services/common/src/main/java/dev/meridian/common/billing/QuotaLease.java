package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A slice of a tenant's remaining hard budget and plan quotas that one gateway may spend locally until it expires or
 * runs out; then the gateway asks for a new one. Billing reserves each granted slice against the remaining budget
 * until it is settled ({@code POST /internal/v1/leases/{lease_id}/settle} with a {@link LeaseSettlement}) or expires,
 * so N gateways together cannot overshoot the limit by more than what their unsettled slices let through.
 *
 * <p>Money is counted in nano-minor units (10<sup>-9</sup> of the currency's minor unit) so that per-token prices stay
 * integers.
 *
 * @param leaseId identifies the lease for settlement
 * @param state {@link #GRANTED} (spend from it) or {@link #BLOCKED} (refuse further spend with 402 until the expiry)
 * @param reason when blocked: a machine-readable code, e.g. {@code hard_budget_reached}, {@code free_tier_exhausted}
 * @param message when blocked: a sentence for the caller saying what limit was hit and how to lift it
 * @param currency ISO-4217 currency of the tenant's price book, e.g. {@code EUR}
 * @param budgetNanos money granted in nano-minor units; absent when the tenant has no hard budget (unlimited)
 * @param quantities granted quantity per meter wire name; a meter not listed is not limited by the plan
 * @param pricesNanos price per unit per meter wire name in nano-minor units, so the gateway can cost a call
 * @param expiresAt when the gateway must stop spending from it (unspent slices then return to the budget)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuotaLease(
        @JsonProperty("lease_id") UUID leaseId,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("key_id") UUID keyId,
        String state,
        String reason,
        String message,
        String currency,
        @JsonProperty("budget_nanos") Long budgetNanos,
        Map<String, Long> quantities,
        @JsonProperty("prices_nanos") Map<String, Long> pricesNanos,
        @JsonProperty("expires_at") Instant expiresAt) {

    public static final String GRANTED = "granted";
    public static final String BLOCKED = "blocked";

    public boolean blocked() {
        return BLOCKED.equals(state);
    }
}
