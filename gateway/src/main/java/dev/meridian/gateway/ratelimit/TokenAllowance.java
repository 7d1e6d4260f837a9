package dev.meridian.gateway.ratelimit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One key's tokens per minute (OpenAI's TPM): a bucket of {@code perMinute} tokens refilled evenly over a minute,
 * debited after each generative call with the tokens it really used (prompt and completion), which only the answer
 * tells. So it may go below zero, and new calls are refused while it is; a call in flight is never cut off. Kept as one
 * number, the time at which the bucket is full again (as {@link TokenBucket}), so concurrent calls never block each
 * other. Times are {@code System.nanoTime()}-like readings from the caller, so tests drive them.
 */
public final class TokenAllowance {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    /**
     * Whether a new call may start, the whole tokens left (0 when overdrawn), how long until the bucket is no longer
     * overdrawn (0 when allowed), and how long until it is full again.
     */
    public record Decision(boolean allowed, long remaining, long retryAfterNanos, long resetNanos) {

        /** {@code Retry-After} is whole seconds: rounded up, at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private final long perMinute;
    /** When the bucket is full again; at or before now means full. Debt shows as more than a minute ahead. */
    private final AtomicLong fullAt;

    public TokenAllowance(long perMinute, long nowNanos) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("tokens per minute must be positive, got " + perMinute);
        }
        this.perMinute = perMinute;
        this.fullAt = new AtomicLong(nowNanos);
    }

    public long perMinute() {
        return perMinute;
    }

    /** Whether a new call may start now: the bucket is not overdrawn. Takes nothing. */
    public Decision check(long nowNanos) {
        long empty = Math.max(0, fullAt.get() - nowNanos); // nanoseconds of refill the bucket lacks
        if (empty > MINUTE) {
            return new Decision(false, 0, empty - MINUTE, empty);
        }
        long missing = (long) Math.ceil((double) empty * perMinute / MINUTE);
        return new Decision(true, Math.max(0, perMinute - missing), 0, empty);
    }

    /** Takes {@code tokens} a call used; the bucket may go below zero. */
    public void debit(long tokens, long nowNanos) {
        if (tokens <= 0) {
            return;
        }
        // the refill time of those tokens, saturated far beyond any minute (a bucket that owes this much just waits)
        double refill = (double) tokens * MINUTE / perMinute;
        long nanos = refill >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) Math.ceil(refill);
        fullAt.accumulateAndGet(nowNanos, (current, now) -> Math.max(current, now) + nanos);
    }
}
