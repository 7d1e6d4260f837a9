package dev.meridian.gateway.budgets;

import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * What is left of one granted {@link QuotaLease}: money (nano-minor units) and per-meter quantities, spent locally.
 * A call is admitted while the lease is live and can pay for what is known up front (its request); what the call
 * really used is debited when it has been answered, so the balance may go below zero by the cost of the calls that
 * were in flight when it ran out. Thread-safe; every method is short and never blocks on I/O.
 */
public final class LeaseBalance {

    private final QuotaLease lease;
    private final EnumMap<Meter, Long> spent = new EnumMap<>(Meter.class);
    private long spentNanos;
    private boolean settled;

    public LeaseBalance(QuotaLease lease) {
        this.lease = lease;
    }

    public QuotaLease lease() {
        return lease;
    }

    /** The cost of {@code used} at the lease's prices; a meter without a price costs nothing. */
    public long cost(Map<Meter, Long> used) {
        long total = 0;
        for (var e : used.entrySet()) {
            Long price = lease.pricesNanos() == null ? null : lease.pricesNanos().get(e.getKey().wireName());
            if (price != null) {
                total = Math.addExact(total, Math.multiplyExact(price, e.getValue()));
            }
        }
        return total;
    }

    public boolean expired(Instant now) {
        return lease.expiresAt() != null && !now.isBefore(lease.expiresAt());
    }

    /**
     * Spends {@code upFront} if the lease is granted, live, not yet exhausted, and can pay for it; else spends
     * nothing and answers false (the caller then needs a new lease).
     */
    public synchronized boolean tryReserve(Map<Meter, Long> upFront, Instant now) {
        if (lease.blocked() || settled || expired(now) || exhaustedNow()) {
            return false;
        }
        long cost = cost(upFront);
        if (lease.budgetNanos() != null && spentNanos + cost > lease.budgetNanos()) {
            return false;
        }
        for (var e : upFront.entrySet()) {
            Long granted = granted(e.getKey());
            if (granted != null && spent.getOrDefault(e.getKey(), 0L) + e.getValue() > granted) {
                return false;
            }
        }
        add(upFront, cost);
        return true;
    }

    /** Spends what a call used beyond what was reserved for it; may overdraw the lease. */
    public synchronized void debit(Map<Meter, Long> used) {
        add(used, cost(used));
    }

    /**
     * True when the lease will soon need a successor: it expires within {@code before}, or {@code share} (0–1) of its
     * money or of one of its quantities is spent.
     */
    public synchronized boolean nearlyDone(Instant now, java.time.Duration before, double share) {
        if (lease.expiresAt() != null && !now.plus(before).isBefore(lease.expiresAt())) {
            return true;
        }
        if (lease.budgetNanos() != null && spentNanos >= lease.budgetNanos() * share) {
            return true;
        }
        for (var e : spent.entrySet()) {
            Long granted = granted(e.getKey());
            if (granted != null && e.getValue() >= granted * share) {
                return true;
            }
        }
        return false;
    }

    /** True when nothing more can be admitted on this lease: its money or one of its quantities is used up. */
    public synchronized boolean exhausted() {
        return exhaustedNow();
    }

    private boolean exhaustedNow() {
        if (lease.budgetNanos() != null && spentNanos >= lease.budgetNanos()) {
            return true;
        }
        for (var e : spent.entrySet()) {
            Long granted = granted(e.getKey());
            if (granted != null && e.getValue() >= granted) {
                return true;
            }
        }
        return false;
    }

    public synchronized long spentNanos() {
        return spentNanos;
    }

    /**
     * Closes the lease for spending and says what was spent from it, once: later calls answer empty (settling is
     * idempotent at billing, but there is no reason to send it twice).
     */
    public synchronized java.util.Optional<LeaseSettlement> settle() {
        if (settled || lease.blocked()) {
            settled = true;
            return java.util.Optional.empty();
        }
        settled = true;
        Map<String, Long> quantities = new HashMap<>();
        spent.forEach((m, q) -> quantities.put(m.wireName(), q));
        return java.util.Optional.of(new LeaseSettlement(spentNanos, quantities));
    }

    private Long granted(Meter meter) {
        return lease.quantities() == null ? null : lease.quantities().get(meter.wireName());
    }

    private void add(Map<Meter, Long> used, long cost) {
        spentNanos = Math.addExact(spentNanos, cost);
        used.forEach((m, q) -> spent.merge(m, q, Long::sum));
    }
}
