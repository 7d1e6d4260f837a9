package dev.meridian.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket: {@code burst} requests at once, refilled at {@code ratePerSecond}. Kept lock-free as one number,
 * the time at which the bucket would be full again (the "generic cell rate algorithm" form of a token bucket), so
 * concurrent requests for one key never block each other. Time comes from the caller in nanoseconds, so tests drive
 * it with a fake clock.
 */
public final class TokenBucket {

    /**
     * The outcome of one request: allowed or not, whole tokens left, how long until one more token is there (zero
     * when allowed), and how long until the bucket is full again.
     */
    public record Decision(boolean allowed, int remaining, long retryAfterNanos, long resetNanos) {

        /** {@code Retry-After} is whole seconds: rounded up, and at least 1 so a client never retries at once. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private final int ratePerSecond;
    private final int burst;
    /** Nanoseconds one token takes to refill. */
    private final long interval;
    /** How far ahead of now the full-again time may be while a request is still admitted. */
    private final long tolerance;
    /** When the bucket is full again; at or before now means full. */
    private final AtomicLong fullAt;

    public TokenBucket(int ratePerSecond, int burst, long nowNanos) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive, got rate " + ratePerSecond
                    + " and burst " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.interval = 1_000_000_000L / ratePerSecond;
        this.tolerance = interval * burst;
        this.fullAt = new AtomicLong(nowNanos);
    }

    public Decision tryTake(long nowNanos) {
        while (true) {
            long current = fullAt.get();
            long start = Math.max(current, nowNanos);
            long next = start + interval;
            if (next - nowNanos > tolerance) {
                long retryAfter = next - nowNanos - tolerance;
                return new Decision(false, 0, retryAfter, start - nowNanos);
            }
            if (fullAt.compareAndSet(current, next)) {
                int remaining = (int) ((tolerance - (next - nowNanos)) / interval);
                return new Decision(true, remaining, 0, next - nowNanos);
            }
        }
    }

    public int ratePerSecond() {
        return ratePerSecond;
    }

    public int burst() {
        return burst;
    }
}
