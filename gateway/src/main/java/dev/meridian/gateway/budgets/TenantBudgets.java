package dev.meridian.gateway.budgets;

import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import dev.meridian.common.error.OpenAiError;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.metering.GatewayIdentity;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Hard budgets at the gateway: a {@link LeaseKeeper} fed by billing's lease API. Without
 * {@code meridian.gateway.billing-url} every call is admitted (no budgets are enforced).
 */
@ApplicationScoped
public class TenantBudgets {

    private static final Logger LOG = Logger.getLogger(TenantBudgets.class);
    private static final CompletionStage<LeaseKeeper.Admission> ALWAYS = CompletableFuture.completedFuture(
            new LeaseKeeper.Admission.Granted());

    @Inject
    GatewayConfig config;
    @Inject
    BillingLeases billing;

    private LeaseKeeper keeper;
    private final LongAdder leasesGranted = new LongAdder();
    private final LongAdder leasesBlocked = new LongAdder();
    private final LongAdder leasesFailed = new LongAdder();

    @PostConstruct
    void init() {
        if (config.billingUrl().isPresent()) {
            keeper = new LeaseKeeper(this::requestLease, billing::settle, GatewayIdentity.of(config), config.region(),
                    config.budgets().retryAfterFailure(), Clock.systemUTC());
        }
    }

    /** Asks billing for a lease, counting what it answered (see {@link #leaseRequests}). */
    private CompletionStage<QuotaLease> requestLease(LeaseRequest request) {
        return billing.request(request).whenComplete((lease, failure) -> (failure != null ? leasesFailed
                : lease != null && lease.blocked() ? leasesBlocked : leasesGranted).increment());
    }

    /** Lease requests to billing since start, by what billing answered: granted, blocked (budget or quota) or failed. */
    public long leaseRequests(String outcome) {
        return switch (outcome) {
            case "granted" -> leasesGranted.sum();
            case "blocked" -> leasesBlocked.sum();
            case "failed" -> leasesFailed.sum();
            default -> throw new IllegalArgumentException("no lease outcome " + outcome);
        };
    }

    /** Tenants and keys this gateway holds a lease (or an outage allowance) for. */
    public int leaseHolders() {
        return keeper == null ? 0 : keeper.holders();
    }

    void stop(@Observes ShutdownEvent event) {
        if (keeper == null) {
            return;
        }
        try {
            keeper.settleAll().get(config.budgets().billingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.infof("not every quota lease was settled at shutdown (%s); billing frees them when they expire",
                    e.toString());
        }
    }

    public boolean enforced() {
        return keeper != null;
    }

    /** Whether a call of this tenant's key may go ahead (its request is then paid for). */
    public CompletionStage<LeaseKeeper.Admission> admit(String tenantId, String keyId) {
        if (keeper == null) {
            return ALWAYS;
        }
        var holder = holder(tenantId, keyId);
        if (holder == null) {
            return CompletableFuture.completedFuture(new LeaseKeeper.Admission.Unavailable(false));
        }
        return keeper.admit(holder);
    }

    /** Spends what an admitted call used, less what it paid up front. */
    public void spent(String tenantId, String keyId, Map<Meter, Long> used) {
        var holder = keeper == null ? null : holder(tenantId, keyId);
        if (holder == null) {
            return;
        }
        var rest = new EnumMap<Meter, Long>(used);
        LeaseKeeper.UP_FRONT.forEach((m, q) -> rest.computeIfPresent(m, (k, v) -> v - q > 0 ? v - q : null));
        if (!rest.isEmpty()) {
            keeper.debit(holder, rest);
        }
    }

    private static LeaseKeeper.Holder holder(String tenantId, String keyId) {
        try {
            return new LeaseKeeper.Holder(UUID.fromString(tenantId), keyId == null ? null : UUID.fromString(keyId));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The 503 body for a call that needs billing's word on a hard budget while billing does not answer. */
    public static OpenAiError unavailable(boolean allowanceSpent) {
        return OpenAiError.of("server_error", "billing_unavailable", allowanceSpent
                ? "Your organization (or this API key) has a hard budget or plan quota, and Meridian's billing service"
                        + " has not answered for a while: this gateway has served what its last budget slice and its"
                        + " outage allowance (one more slice of the same size) could pay for, and cannot check the"
                        + " budget for more. Retry in a few seconds; calls resume as soon as billing answers."
                : "Meridian could not check your organization's budget just now because its billing service did"
                        + " not answer. Retry in a few seconds.");
    }

    /** The 402 body for a refused call: which limit was hit and how to lift it. */
    public static OpenAiError refusal(QuotaLease lease) {
        String code = lease.reason() == null || lease.reason().isBlank() ? "budget_exceeded" : lease.reason();
        String message = lease.message() != null && !lease.message().isBlank() ? lease.message()
                : "What remains of your organization's hard budget (or of this API key's) cannot pay for another"
                        + " call, so Meridian refuses further billable calls.";
        if (!message.contains("console")) {
            message += " To continue, raise the budget or top up prepaid credits in the Meridian console (Billing).";
        }
        if (lease.expiresAt() != null) {
            message += " Calls are checked again after " + lease.expiresAt() + ".";
        }
        return OpenAiError.of("insufficient_quota", code, message);
    }
}
