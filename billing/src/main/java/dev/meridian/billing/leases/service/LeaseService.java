package dev.meridian.billing.leases.service;

import dev.meridian.billing.Account;
import dev.meridian.billing.KeyBudget;
import dev.meridian.billing.Lease;
import dev.meridian.billing.Period;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.pricing.Money;
import dev.meridian.billing.pricing.MoneyLimits;
import dev.meridian.billing.pricing.Rating;
import dev.meridian.billing.usage.service.UsageQueries;
import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Grants quota leases: slices of what a tenant (and, when it has its own budget, a key) may still spend this month.
 * <p>
 * The account row is locked ({@code SELECT ... FOR UPDATE}) for the whole decision, so concurrent requests for one
 * tenant are decided one after another against the same ledger:
 * {@code remaining = hard budget − max(billed spend, spend reported by settled leases) − unsettled slices}, where an
 * unsettled slice counts whole until its expiry plus the usage-lag allowance. A grant never exceeds the remaining,
 * so the slices in flight together never exceed the budget; the overshoot is what gateways let through beyond their
 * slices (at most one call per lease in flight, see docs/architecture.md).
 */
@ApplicationScoped
public class LeaseService {

    public static final String HARD_BUDGET_REACHED = "hard_budget_reached";
    public static final String KEY_BUDGET_REACHED = "key_budget_reached";
    public static final String FREE_TIER_EXHAUSTED = "free_tier_exhausted";
    /** The meters gateways meter and lease for; the others (training, storage) come only from usage events. */
    static final java.util.Set<String> LEASED_METERS = java.util.Set.of(Meter.REQUESTS.wireName(),
            Meter.INPUT_TOKENS.wireName(), Meter.EMBEDDED_ITEMS.wireName(), Meter.CLASSIFICATION_ITEMS.wireName());

    @Inject
    EntityManager em;
    @Inject
    Accounts accounts;
    @Inject
    UsageQueries usage;
    @Inject
    BillingConfig config;
    @Inject
    Clock clock;

    @Transactional
    public QuotaLease lease(LeaseRequest request) {
        UUID tenant = request.tenantId();
        Account account = accounts.open(tenant, request.region());
        accounts.lock(tenant);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(config.leases().ttl());
        Period period = Period.containing(now);
        Rating rating = accounts.rating(account);
        Map<String, Long> used = usage.totals(tenant, null, period.start(), period.end());
        String currency = currencyOf(account);
        Map<String, Long> prices = rating.marginalPrices(used);

        // unsettled leases hold their whole slice until expiry plus the time their usage may take to arrive
        List<Lease> holding = Lease.list("tenantId = ?1 and settledAt is null and expiresAt > ?2", tenant,
                now.minus(config.leases().usageLagAllowance()));

        // money: the tenant's hard budget, and the key's own when it has one
        Long remainingNanos = null;
        if (account.hardBudgetMinor != null) {
            long remaining = Money.toNanos(account.hardBudgetMinor) - consumedNanos(rating, used, holding, tenant, null,
                    period);
            if (remaining <= 0) {
                return blocked(request, currency, prices, expires, HARD_BUDGET_REACHED, "The tenant's hard budget of "
                        + format(account.hardBudgetMinor, currency) + " for " + period.month() + " is used up. An"
                        + " owner or admin can raise it; spending resumes on " + nextPeriod(period) + ".");
            }
            remainingNanos = remaining;
        }
        if (request.keyId() != null) {
            KeyBudget keyBudget = KeyBudget.findById(new KeyBudget.Id(tenant, request.keyId()));
            if (keyBudget != null && keyBudget.hardBudgetMinor != null) {
                Map<String, Long> keyUsed = usage.totals(tenant, request.keyId(), period.start(), period.end());
                long remaining = Money.toNanos(keyBudget.hardBudgetMinor) - consumedNanos(rating, keyUsed, holding,
                        tenant, request.keyId(), period);
                if (remaining <= 0) {
                    return blocked(request, currency, prices, expires, KEY_BUDGET_REACHED, "This API key's hard"
                            + " budget of " + format(keyBudget.hardBudgetMinor, currency) + " for " + period.month()
                            + " is used up. An owner or admin can raise it, or use another key.");
                }
                remainingNanos = remainingNanos == null ? remaining : Math.min(remainingNanos, remaining);
            }
        }

        // quantities: the free tier's monthly inclusions block when used up
        Map<String, Long> quantities = new TreeMap<>();
        if (Account.FREE.equals(account.plan)) {
            SlicePolicy qPolicy = new SlicePolicy(config.leases().sliceFractionBp(), config.leases().minSliceQuantity(),
                    config.leases().maxSliceQuantity());
            for (var inclusion : new TreeMap<>(rating.included()).entrySet()) {
                String meter = inclusion.getKey();
                long remaining = inclusion.getValue() - consumedQuantity(used, holding, tenant, meter, period);
                if (remaining <= 0) {
                    return blocked(request, currency, prices, expires, FREE_TIER_EXHAUSTED, "The free tier's "
                            + inclusion.getValue() + " " + meter + " for " + period.month() + " are used up. Move to"
                            + " pay-as-you-go or a subscription to continue, or wait until " + nextPeriod(period) + ".");
                }
                quantities.put(meter, qPolicy.slice(remaining));
            }
        }

        Long budgetNanos = null;
        if (remainingNanos != null) {
            SlicePolicy policy = new SlicePolicy(config.leases().sliceFractionBp(),
                    Money.toNanos(config.leases().minSliceMinor()), Money.toNanos(config.leases().maxSliceMinor()));
            budgetNanos = policy.slice(remainingNanos);
        }
        Lease lease = new Lease();
        lease.id = UUID.randomUUID();
        lease.tenantId = tenant;
        lease.keyId = request.keyId();
        lease.gatewayId = request.gatewayId();
        lease.region = request.region();
        lease.budgetNanos = budgetNanos;
        lease.quantities = quantities;
        lease.grantedAt = now;
        lease.expiresAt = expires;
        lease.persist();
        return new QuotaLease(lease.id, tenant, request.keyId(), QuotaLease.GRANTED, null, null, currency, budgetNanos,
                quantities, prices, expires);
    }

    /** Frees the unspent rest of a lease; its reported spend stays reserved for the usage-lag allowance. */
    @Transactional
    public void settle(UUID leaseId, LeaseSettlement settlement) {
        MoneyLimits.spentNanos("spent_nanos", settlement.spentNanos());
        if (settlement.spentQuantities() != null) {
            settlement.spentQuantities().forEach((meter, q) -> MoneyLimits.quantity("spent_quantities." + meter, q));
        }
        UUID tenant = (UUID) em.createNativeQuery("select lease_tenant(:id)").setParameter("id", leaseId)
                .getSingleResult();
        if (tenant == null) {
            throw ApiException.notFound("No lease " + leaseId + ".");
        }
        accounts.find(tenant);
        accounts.lock(tenant);
        Lease lease = Lease.findById(leaseId);
        if (lease.settledAt != null) {
            return; // settling twice is harmless: the first settlement counts
        }
        lease.settledAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        lease.spentNanos = settlement.spentNanos();
        lease.spentQuantities = settlement.spentQuantities() == null ? Map.of()
                : new HashMap<>(settlement.spentQuantities());
    }

    /**
     * What the period has consumed of a budget (the tenant's, or one key's): the served meters' spend is known twice,
     * from the usage billed so far and from what gateways reported when settling leases; either may trail the other
     * (usage events in flight, a gateway that never settled), so the larger counts. Meters gateways do not lease for
     * (training, storage) count as billed. Unsettled slices count whole until their expiry plus the lag allowance.
     */
    private long consumedNanos(Rating rating, Map<String, Long> used, List<Lease> holding, UUID tenant, UUID keyId,
            Period period) {
        long billedServed = rating.usageCostNanos(used, LEASED_METERS);
        long billedOther = rating.usageCostNanos(used) - billedServed;
        String sql = "select coalesce(sum(spent_nanos), 0) from leases where tenant_id = :t and granted_at >= :from"
                + " and settled_at is not null" + (keyId == null ? "" : " and key_id = :k");
        var q = em.createNativeQuery(sql).setParameter("t", tenant)
                .setParameter("from", java.time.OffsetDateTime.ofInstant(period.start(), java.time.ZoneOffset.UTC));
        if (keyId != null) {
            q.setParameter("k", keyId);
        }
        long settled = ((Number) q.getSingleResult()).longValue();
        long unsettled = 0;
        for (Lease l : holding) {
            if (l.settledAt == null && (keyId == null || keyId.equals(l.keyId)) && l.budgetNanos != null) {
                unsettled = Math.addExact(unsettled, l.budgetNanos);
            }
        }
        return Math.addExact(Math.addExact(Math.max(billedServed, settled), billedOther), unsettled);
    }

    /** As {@link #consumedNanos}, for one metered quantity of the free tier. */
    private long consumedQuantity(Map<String, Long> used, List<Lease> holding, UUID tenant, String meter,
            Period period) {
        long settled = ((Number) em.createNativeQuery("select coalesce(sum((spent_quantities ->> :m)::bigint), 0)"
                        + " from leases where tenant_id = :t and granted_at >= :from and settled_at is not null")
                .setParameter("m", meter).setParameter("t", tenant)
                .setParameter("from", java.time.OffsetDateTime.ofInstant(period.start(), java.time.ZoneOffset.UTC))
                .getSingleResult()).longValue();
        long unsettled = 0;
        for (Lease l : holding) {
            unsettled += l.quantities == null ? 0 : l.quantities.getOrDefault(meter, 0L);
        }
        return Math.max(used.getOrDefault(meter, 0L), settled) + unsettled;
    }

    private QuotaLease blocked(LeaseRequest request, String currency, Map<String, Long> prices, Instant until,
            String reason, String message) {
        return new QuotaLease(UUID.randomUUID(), request.tenantId(), request.keyId(), QuotaLease.BLOCKED, reason,
                message, currency, 0L, Map.of(), prices, until);
    }

    private String currencyOf(Account account) {
        return config.regions().get(account.region).currency();
    }

    static String format(long minor, String currency) {
        return String.format("%d.%02d %s", minor / 100, minor % 100, currency);
    }

    private static String nextPeriod(Period period) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(period.end().atZone(java.time.ZoneOffset.UTC));
    }
}
