package dev.meridian.gateway.budgets;

import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Holds one quota lease per tenant and API key and decides, without blocking, whether a call may go ahead: it pays
 * for the request up front from the key's live lease; when the lease is used up or expired it settles it and asks billing
 * for a new one, once per key however many callers are waiting (they all wait on the same renewal). A blocked lease
 * refuses calls until it expires.
 * <p>
 * Billing is kept off the serving path's critical path:
 * <ul>
 * <li>A holder whose last lease was <em>unlimited</em> (no hard budget, no plan quantities) never waits for billing:
 * when its lease expires the call goes ahead at once and the next lease is asked for in the background; while billing
 * is unreachable such calls keep being served (their usage is metered through the spool as always and billed once
 * billing is back).</li>
 * <li>A holder with a hard budget or plan quantities spends its live lease, then, when billing cannot be reached, one
 * <em>outage allowance</em>: a local slice the size of the last slice billing granted it, once per outage. After that
 * it gets {@link Admission.Unavailable} (fail closed: a hard budget is a promise the gateway cannot check without
 * billing). A holder that was refused (blocked) by billing gets no allowance.</li>
 * <li>A holder this gateway has never held a lease for cannot be told apart, so it waits for billing and fails
 * closed when billing does not answer.</li>
 * </ul>
 */
public final class LeaseKeeper {

    /** What a call may do. */
    public sealed interface Admission {
        /** Go ahead; the request has been paid for. */
        record Granted() implements Admission {
        }

        /** Refused: the tenant's lease is blocked (or cannot pay for even one request). */
        record Refused(QuotaLease lease) implements Admission {
        }

        /**
         * Billing could not be asked for a new lease; retry shortly.
         *
         * @param allowanceSpent the holder has a hard budget or plan quantities and has spent its live lease and its
         *        outage allowance (false: this gateway has no lease of the holder to go on)
         */
        record Unavailable(boolean allowanceSpent) implements Admission {
        }
    }

    /** What every call pays before it is forwarded. */
    public static final Map<Meter, Long> UP_FRONT = Map.of(Meter.REQUESTS, 1L);
    /** A lease this close to its expiry, or with this share of it spent, is renewed ahead of time. */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(5);
    static final double RENEW_AT_SHARE = 0.8;
    /** How often one caller may find a fresh lease already spent by the others before it gives up with a 503. */
    static final int MAX_ROUNDS = 16;

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);
    private static final Admission GRANTED = new Admission.Granted();
    private static final Admission UNAVAILABLE = new Admission.Unavailable(false);
    private static final Admission ALLOWANCE_SPENT = new Admission.Unavailable(true);

    private static final class Slot {
        LeaseBalance balance;
        CompletableFuture<Void> renewing;
        long retryAtNanos;
        /** No early renewal before this, after one that failed or was refused. */
        long aheadAfterNanos;
        /** The last lease billing granted the holder; null after a refusal (no outage allowance then). */
        QuotaLease lastGrant;
        /** The outage allowance has been taken since billing last granted a lease. */
        boolean allowanceTaken;
    }

    private final Function<LeaseRequest, CompletionStage<QuotaLease>> requestLease;
    private final BiFunction<UUID, LeaseSettlement, CompletionStage<Void>> settleLease;
    private final String gatewayId;
    private final String region;
    private final Duration retryAfterFailure;
    private final Clock clock;
    /** Whose lease: billing grants it within the tenant's budget and, when the key has one, the key's budget. */
    public record Holder(UUID tenant, UUID key) {
    }

    private final ConcurrentHashMap<Holder, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean warned;

    public LeaseKeeper(Function<LeaseRequest, CompletionStage<QuotaLease>> requestLease,
            BiFunction<UUID, LeaseSettlement, CompletionStage<Void>> settleLease, String gatewayId, String region,
            Duration retryAfterFailure, Clock clock) {
        this.requestLease = requestLease;
        this.settleLease = settleLease;
        this.gatewayId = gatewayId;
        this.region = region;
        this.retryAfterFailure = retryAfterFailure;
        this.clock = clock;
    }

    /** The tenants and keys held here (a lease, an outage allowance or a renewal under way). */
    public int holders() {
        return slots.size();
    }

    /** Whether a call may be forwarded; completes at once while the holder's lease lasts. */
    public CompletionStage<Admission> admit(Holder holder) {
        return admit(holder, 0);
    }

    private CompletionStage<Admission> admit(Holder holder, int round) {
        Slot slot = slots.computeIfAbsent(holder, t -> new Slot());
        CompletableFuture<Void> renewal;
        synchronized (slot) {
            var now = clock.instant();
            LeaseBalance current = slot.balance;
            if (current != null && !current.expired(now)) {
                if (current.lease().blocked()) {
                    return CompletableFuture.completedFuture(new Admission.Refused(current.lease()));
                }
                if (current.tryReserve(UP_FRONT, now)) {
                    if (slot.renewing == null && System.nanoTime() - slot.aheadAfterNanos >= 0
                            && current.nearlyDone(now, RENEW_BEFORE_EXPIRY, RENEW_AT_SHARE)) {
                        slot.renewing = renewAhead(holder, slot);
                    }
                    return CompletableFuture.completedFuture(GRANTED);
                }
                if (round > 0 && current.spentNanos() == 0 && !current.exhausted()) {
                    // A fresh lease that cannot pay for even one request: as good as blocked.
                    return CompletableFuture.completedFuture(new Admission.Refused(current.lease()));
                }
            }
            if (unlimited(slot.lastGrant)) {
                // nothing to enforce: serve now, count what is spent on the old lease, and renew in the background
                if (current != null) {
                    current.debit(UP_FRONT);
                }
                if (slot.renewing == null && System.nanoTime() - slot.retryAtNanos >= 0) {
                    CompletableFuture<Void> background = renew(holder, slot, current);
                    if (!background.isDone()) {
                        slot.renewing = background;
                    }
                }
                return CompletableFuture.completedFuture(GRANTED);
            }
            if (round >= MAX_ROUNDS) {
                return CompletableFuture.completedFuture(UNAVAILABLE);
            }
            if (slot.renewing == null) {
                if (System.nanoTime() - slot.retryAtNanos < 0) {
                    return CompletableFuture.completedFuture(slot.allowanceTaken ? ALLOWANCE_SPENT : UNAVAILABLE);
                }
                renewal = renew(holder, slot, current);
                if (!renewal.isDone()) { // billing may answer at once (then the slot already holds the lease)
                    slot.renewing = renewal;
                }
            } else {
                renewal = slot.renewing;
            }
        }
        return renewal.handle((ok, failure) -> failure == null)
                .thenCompose(ok -> ok ? admit(holder, round + 1)
                        : CompletableFuture.completedFuture(slot.allowanceTaken ? ALLOWANCE_SPENT : UNAVAILABLE));
    }

    /** A lease that limits nothing: the holder has no hard budget and its plan no quantities. */
    static boolean unlimited(QuotaLease lease) {
        return lease != null && !lease.blocked() && lease.budgetNanos() == null
                && (lease.quantities() == null || lease.quantities().isEmpty());
    }

    /**
     * The slice a limited holder may spend locally while billing cannot be reached: the money and quantities of the
     * last slice billing granted it, without expiry (it lasts until spent or replaced by billing's next lease) and
     * without a lease id (there is nothing to settle; its usage reaches billing as usage events).
     */
    static QuotaLease outageAllowance(QuotaLease last) {
        return new QuotaLease(null, last.tenantId(), last.keyId(), QuotaLease.GRANTED, null, null, last.currency(),
                last.budgetNanos(), last.quantities(), last.pricesNanos(), null);
    }

    /** Records what billing answered; called with the slot's lock held. */
    private static void granted(Slot slot, QuotaLease lease) {
        if (lease.blocked()) {
            slot.lastGrant = null;
        } else {
            slot.lastGrant = lease;
            slot.allowanceTaken = false;
        }
    }

    /** Adds what a call used beyond its up-front payment to the holder's current lease. */
    public void debit(Holder holder, Map<Meter, Long> used) {
        Slot slot = slots.get(holder);
        if (slot == null) {
            return;
        }
        LeaseBalance balance;
        synchronized (slot) {
            balance = slot.balance;
        }
        if (balance != null) {
            balance.debit(used);
        }
    }

    /**
     * Asks for the next lease while the current one still pays for calls, so that callers never wait for billing on
     * the way from one lease to the next; called with the slot's lock held. The new lease replaces the current one
     * when it arrives (which is then settled); a refusal is not taken over while the current lease still pays: the
     * regular renewal asks again, after settling, once it is used up.
     */
    private CompletableFuture<Void> renewAhead(Holder holder, Slot slot) {
        var done = new CompletableFuture<Void>();
        requestLease.apply(new LeaseRequest(holder.tenant(), holder.key(), gatewayId, region))
                .whenComplete((lease, failure) -> {
                    LeaseBalance replaced = null;
                    synchronized (slot) {
                        slot.renewing = null;
                        if (failure == null && lease != null && !lease.blocked()) {
                            replaced = slot.balance;
                            slot.balance = new LeaseBalance(lease);
                            granted(slot, lease);
                        } else {
                            slot.aheadAfterNanos = System.nanoTime() + retryAfterFailure.toNanos();
                        }
                    }
                    if (replaced != null) {
                        settle(replaced);
                    } else if (failure != null) {
                        LOG.debugf("asking billing for the next lease early failed (%s); the current one goes on",
                                failure.toString());
                    }
                    done.complete(null);
                });
        return done;
    }

    /** Settles the old lease (if any), then asks for a new one; called with the slot's lock held. */
    private CompletableFuture<Void> renew(Holder holder, Slot slot, LeaseBalance old) {
        var done = new CompletableFuture<Void>();
        settle(old).thenCompose(ignored -> requestLease.apply(new LeaseRequest(holder.tenant(), holder.key(), gatewayId,
                        region)))
                .whenComplete((lease, failure) -> {
                    boolean allowance = false;
                    synchronized (slot) {
                        slot.renewing = null;
                        if (failure == null && lease != null) {
                            slot.balance = new LeaseBalance(lease);
                            granted(slot, lease);
                        } else {
                            slot.retryAtNanos = System.nanoTime() + retryAfterFailure.toNanos();
                            if (slot.lastGrant != null && !unlimited(slot.lastGrant) && !slot.allowanceTaken) {
                                slot.allowanceTaken = true;
                                slot.balance = new LeaseBalance(outageAllowance(slot.lastGrant));
                                allowance = true;
                            }
                        }
                    }
                    if (allowance) {
                        LOG.warnf("cannot get a quota lease from billing (%s); tenant %s%s spends an outage allowance"
                                + " the size of its last slice, then gets 503", failure == null ? "empty answer"
                                : failure.toString(), holder.tenant(), holder.key() == null ? ""
                                : " (key " + holder.key() + ")");
                        done.complete(null);
                    } else if (failure == null && lease != null) {
                        if (warned) {
                            warned = false;
                            LOG.info("billing grants quota leases again");
                        }
                        done.complete(null);
                    } else {
                        if (!warned) {
                            warned = true;
                            LOG.warnf("cannot get a quota lease from billing (%s); tenants without a hard budget are still"
                                    + " served, the others spend their outage allowance and then get 503",
                                    failure == null ? "empty answer" : failure.toString());
                        }
                        done.completeExceptionally(failure != null ? failure : new IllegalStateException("no lease"));
                    }
                });
        return done;
    }

    /** Settles a lease once; never fails (billing also frees an unsettled slice when it expires). */
    private CompletionStage<Void> settle(LeaseBalance balance) {
        Optional<LeaseSettlement> settlement = balance == null ? Optional.empty() : balance.settle();
        if (settlement.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        UUID id = balance.lease().leaseId();
        if (id == null) {
            return CompletableFuture.completedFuture(null); // an outage allowance: billing never granted it
        }
        return settleLease.apply(id, settlement.get()).exceptionally(failure -> {
            LOG.debugf("settling lease %s failed (%s); billing frees it when it expires", id, failure.toString());
            return null;
        });
    }

    /** Settles every lease still held (at shutdown). */
    public CompletableFuture<Void> settleAll() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        slots.values().forEach(slot -> {
            LeaseBalance balance;
            synchronized (slot) {
                balance = slot.balance;
            }
            all.add(settle(balance).toCompletableFuture());
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** The holder's current lease, if it has one. */
    public Optional<LeaseBalance> current(Holder holder) {
        Slot slot = slots.get(holder);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return Optional.ofNullable(slot.balance);
        }
    }
}
