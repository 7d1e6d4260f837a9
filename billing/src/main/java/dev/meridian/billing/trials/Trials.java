package dev.meridian.billing.trials;

import dev.meridian.billing.Account;
import dev.meridian.billing.Trial;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.pricing.PriceBook;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * Trial credits ({@code meridian.billing.trials.*}). An account that opens on a trial plan (free or pay-as-you-go by
 * default; not subscriptions or enterprise, whose terms are negotiated) gets the configured amount of its currency,
 * once. The trial pays for usage up to its end, before other credits; invoices record what they took of it.
 */
@ApplicationScoped
public class Trials {

    /** A trial as the tenant sees it; {@code remaining_minor} is 0 once it has ended. */
    public record TrialView(long amountMinor, long usedMinor, long remainingMinor, String currency,
            Instant grantedAt, Instant expiresAt, String status) {
    }

    @Inject
    EntityManager em;
    @Inject
    BillingConfig config;
    @Inject
    PriceBook prices;
    @Inject
    Clock clock;

    /**
     * Grants the trial of a newly opened account if its plan is a trial plan and its currency has an amount; an
     * account that has (or had) a trial gets none again. The caller has bound the tenant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean grant(Account account) {
        if (!config.trials().plans().contains(account.plan)) {
            return false;
        }
        String currency = prices.currencyOf(account.region);
        Long amount = config.trials().amountMinor().get(currency);
        if (amount == null || amount <= 0) {
            return false;
        }
        Instant granted = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // usage is billed by the hour: a trial ends on an hour boundary, so an hour's usage is in it or not
        Instant end = granted.plus(config.trials().duration());
        Instant hour = end.truncatedTo(ChronoUnit.HOURS);
        Instant expires = hour.equals(end) ? hour : hour.plus(1, ChronoUnit.HOURS);
        return em.createNativeQuery("insert into trials (tenant_id, amount_minor, currency, granted_at, expires_at)"
                        + " values (:t, :a, :c, :g, :e) on conflict do nothing")
                .setParameter("t", account.tenantId).setParameter("a", amount).setParameter("c", currency)
                .setParameter("g", OffsetDateTime.ofInstant(granted, ZoneOffset.UTC))
                .setParameter("e", OffsetDateTime.ofInstant(expires, ZoneOffset.UTC))
                .executeUpdate() == 1;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<Trial> find(UUID tenantId) {
        return Trial.findByIdOptional(tenantId);
    }

    /** What finalized invoices took of the trial, except the one of the period starting at {@code except}. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long used(UUID tenantId, Instant except) {
        Number sum = (Number) em.createNativeQuery("select coalesce(sum(trial_credits_applied_minor), 0) from invoices"
                        + " where tenant_id = :t and period_start <> :p")
                .setParameter("t", tenantId)
                .setParameter("p", OffsetDateTime.ofInstant(except == null ? Instant.EPOCH : except, ZoneOffset.UTC))
                .getSingleResult();
        return sum.longValue();
    }

    /** The tenant's trial as of now, if it has one. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<TrialView> view(UUID tenantId) {
        return find(tenantId).map(t -> {
            long used = Math.min(t.amountMinor, used(tenantId, null));
            boolean ended = !clock.instant().isBefore(t.expiresAt);
            long remaining = ended ? 0 : t.amountMinor - used;
            String status = ended ? "expired" : remaining == 0 ? "used_up" : "active";
            return new TrialView(t.amountMinor, used, remaining, t.currency, t.grantedAt, t.expiresAt, status);
        });
    }
}
