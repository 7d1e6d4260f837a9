package dev.meridian.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.common.billing.RateLease;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.gateway.apikeys.KeyRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * A key's rate limit held at billing in one bucket for all gateways, spent here in slices: a request takes a token
 * from the key's live slices without waiting; when they run low the next slice is asked for in the background, once
 * per key however many callers come (those who find no token left wait for that one request, and the next request
 * asks for as many tokens as callers wait, up to the burst). A request that finds no token and none granted is
 * refused with the time billing gave for the next token, and billing is not asked again before then, so a flood of
 * refused calls costs billing nothing.
 * <p>
 * Billing is never needed to serve: when it does not answer, the key is limited by this gateway's own bucket
 * ({@link LocalBuckets}, the limit then multiplies by the number of gateways, as before billing held it), and billing
 * is asked again in the background every {@code retryAfterFailure}; its first answer ends the fallback. Times are
 * {@code System.nanoTime()}-like readings of the given clock, so tests drive them.
 */
public final class RateSlices {

    /** How often a caller may find the tokens it waited for already taken by the others before it gets 429. */
    static final int MAX_ROUNDS = 8;
    private static final Logger LOG = Logger.getLogger(RateSlices.class);

    /** Tokens granted by billing, spendable until {@code expiresAt}. */
    private static final class Slice {
        int tokens;
        final long expiresAt;

        Slice(int tokens, long expiresAt) {
            this.tokens = tokens;
            this.expiresAt = expiresAt;
        }
    }

    /** One key's state here; every field is guarded by the slot's lock. */
    private static final class Slot {
        final ArrayDeque<Slice> slices = new ArrayDeque<>(2);
        CompletableFuture<Void> renewing;
        /** Callers waiting for {@link #renewing}. */
        int waiting;
        /** Billing's bucket has no token before this: no slice is asked for sooner. */
        long nextTokenAt;
        /** When billing's bucket is full again, as last heard. */
        long fullAt;
        /** Billing did not answer: limit with the local bucket, ask billing again after {@link #probeAt}. */
        boolean degraded;
        long probeAt;
        /** The limit {@link #nextTokenAt} was heard under; {@code null} until the first request. */
        KeyRecord.RateLimit limit;

        /** Times are readings of a {@code nanoTime}-like clock, whose origin may be anywhere: start from now. */
        Slot(long now) {
            nextTokenAt = now;
            fullAt = now;
            probeAt = now;
        }
    }

    private final Function<RateLeaseRequest, CompletionStage<RateLease>> billing;
    private final LocalBuckets local;
    private final String gatewayId;
    private final long sliceNanos;
    private final long retryAfterFailureNanos;
    private final LongSupplier clock;
    private final Cache<UUID, Slot> slots = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();
    private volatile boolean warned;

    public RateSlices(Function<RateLeaseRequest, CompletionStage<RateLease>> billing, LocalBuckets local,
            String gatewayId, Duration slice, Duration retryAfterFailure, LongSupplier nanoClock) {
        this.billing = billing;
        this.local = local;
        this.gatewayId = gatewayId;
        this.sliceNanos = slice.toNanos();
        this.retryAfterFailureNanos = retryAfterFailure.toNanos();
        this.clock = nanoClock;
    }

    /**
     * How many tokens one slice asks for: {@code slice} worth of the key's rate, at least 1, at most its burst. Small
     * slices waste little (a slice one gateway holds is tokens the others cannot use until it expires) and a
     * busy key costs billing one call per {@code slice} per gateway.
     */
    static int sliceSize(KeyRecord.RateLimit limit, long sliceNanos) {
        long tokens = (limit.requestsPerSecond() * sliceNanos + TimeUnit.SECONDS.toNanos(1) - 1)
                / TimeUnit.SECONDS.toNanos(1);
        return (int) Math.max(1, Math.min(limit.burst(), tokens));
    }

    /**
     * The most requests of one key all gateways together admit in any window of length {@code window} while billing
     * answers: every admitted request spent a token billing granted at most {@code sliceTtl} before it, so they all
     * come from the tokens billing's bucket granted in a span of {@code window + sliceTtl}, which a bucket of
     * {@code burst} refilled at {@code rate} per second holds at most {@code burst + ⌊rate × (window + sliceTtl)⌋}
     * of. The number of gateways does not appear: it costs only tokens that expire unspent.
     */
    public static long admittedAtMost(KeyRecord.RateLimit limit, Duration window, Duration sliceTtl) {
        long span = window.plus(sliceTtl).toNanos();
        return limit.burst() + span / (TimeUnit.SECONDS.toNanos(1) / limit.requestsPerSecond());
    }

    /** Admits or refuses one request of {@code key}; completes at once while its slices last. */
    public CompletionStage<TokenBucket.Decision> take(UUID tenant, UUID key, KeyRecord.RateLimit limit) {
        return take(tenant, key, limit, 0);
    }

    private CompletionStage<TokenBucket.Decision> take(UUID tenant, UUID key, KeyRecord.RateLimit limit, int round) {
        Slot slot = slots.get(key, k -> new Slot(clock.getAsLong()));
        int slice = sliceSize(limit, sliceNanos);
        CompletableFuture<Void> renewal;
        synchronized (slot) {
            long now = clock.getAsLong();
            if (!limit.equals(slot.limit)) {
                // A plan change (an upgrade after the key was limited): billing's wait was reckoned at the old rate,
                // so ask billing again now rather than refuse the key at the old rate until then.
                slot.limit = limit;
                slot.nextTokenAt = now;
            }
            if (slot.degraded) {
                if (slot.renewing == null && now - slot.probeAt >= 0) {
                    renew(slot, tenant, key, limit, slice); // in the background: this call does not wait for it
                }
                if (slot.degraded) {
                    return CompletableFuture.completedFuture(local.take(key, limit, now));
                }
            }
            slot.slices.removeIf(s -> s.expiresAt - now <= 0 || s.tokens <= 0);
            Slice current = slot.slices.peekFirst();
            if (current != null) {
                current.tokens--;
                int left = tokens(slot);
                if (left <= slice / 2 && slot.renewing == null && now - slot.nextTokenAt >= 0) {
                    renew(slot, tenant, key, limit, want(slot, limit, slice)); // ahead of need: the next caller finds it here
                    left = tokens(slot);
                }
                return CompletableFuture.completedFuture(new TokenBucket.Decision(true, left, 0,
                        Math.max(0, slot.fullAt - now)));
            }
            if (round >= MAX_ROUNDS || slot.renewing == null && now - slot.nextTokenAt < 0) {
                long retry = slot.renewing == null ? slot.nextTokenAt - now
                        : TimeUnit.SECONDS.toNanos(1) / limit.requestsPerSecond();
                return CompletableFuture.completedFuture(new TokenBucket.Decision(false, 0, Math.max(1, retry),
                        Math.max(0, slot.fullAt - now)));
            }
            if (slot.renewing == null) {
                renew(slot, tenant, key, limit, want(slot, limit, slice));
            }
            renewal = slot.renewing;
            if (renewal == null) { // billing answered at once: look again
                return take(tenant, key, limit, round + 1);
            }
            slot.waiting++;
        }
        return renewal.thenCompose(ignored -> {
            synchronized (slot) {
                slot.waiting--;
            }
            return take(tenant, key, limit, round + 1);
        });
    }

    /** A slice, or as many tokens as callers wait for (up to the burst): they would spend a slice at once. */
    private static int want(Slot slot, KeyRecord.RateLimit limit, int slice) {
        return Math.min(limit.burst(), Math.max(slice, slot.waiting + 1));
    }

    private static int tokens(Slot slot) {
        int n = 0;
        for (Slice s : slot.slices) {
            n += s.tokens;
        }
        return n;
    }

    /** Asks billing for {@code want} tokens; called with the slot's lock held. */
    private void renew(Slot slot, UUID tenant, UUID key, KeyRecord.RateLimit limit, int want) {
        var done = new CompletableFuture<Void>();
        slot.renewing = done;
        long sent = clock.getAsLong();
        CompletionStage<RateLease> answer;
        try {
            answer = billing.apply(new RateLeaseRequest(tenant, key, gatewayId, want, limit.requestsPerSecond(),
                    limit.burst()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((lease, failure) -> {
            boolean recovered = false;
            synchronized (slot) {
                slot.renewing = null;
                if (failure == null && lease != null) {
                    recovered = slot.degraded;
                    slot.degraded = false;
                    if (lease.granted() > 0) {
                        // counted from when it was asked for, never later than billing's decision
                        slot.slices.addLast(new Slice(lease.granted(), sent + millis(lease.expiresInMs())));
                    }
                    slot.nextTokenAt = sent + millis(lease.nextTokenInMs());
                    slot.fullAt = sent + millis(lease.fullInMs());
                } else {
                    slot.degraded = true;
                    slot.probeAt = clock.getAsLong() + retryAfterFailureNanos;
                }
            }
            if (failure != null || lease == null) {
                if (!warned) {
                    warned = true;
                    LOG.warnf("cannot get rate-limit slices from billing (%s); each key is limited by this gateway's"
                            + " own bucket until billing answers, so the limit multiplies by the number of gateways",
                            failure == null ? "empty answer" : failure.toString());
                }
            } else if (recovered && warned) {
                warned = false;
                LOG.info("billing grants rate-limit slices again; keys share one limit across gateways");
            }
            done.complete(null);
        });
    }

    private static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, ms));
    }
}
