package dev.meridian.gateway.ratelimit;

/**
 * A token bucket: {@code burst} requests at once, refilled at {@code ratePerSecond}. Time comes from the caller in
 * nanoseconds, so tests drive it with a fake clock. Synchronised per bucket: contention is per key, and the
 * critical section is a few arithmetic operations.
 */
public final class TokenBucket {

    /** The outcome of one request: allowed or not, what is left, and when to retry. */
    public record Decision(boolean allowed, int remaining, long retryAfterNanos, long resetNanos) {
    }

    private final double ratePerNano;
    private final int burst;
    private double tokens;
    private long updatedAt;

    public TokenBucket(int ratePerSecond, int burst, long nowNanos) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.updatedAt = nowNanos;
    }

    public synchronized Decision tryTake(long nowNanos) {
        if (nowNanos > updatedAt) {
            tokens = Math.min(burst, tokens + (nowNanos - updatedAt) * ratePerNano);
            updatedAt = nowNanos;
        }
        long untilFull = (long) ((burst - tokens) / ratePerNano);
        if (tokens >= 1) {
            tokens -= 1;
            return new Decision(true, (int) Math.floor(tokens), 0, untilFull + (long) (1 / ratePerNano));
        }
        long wait = (long) Math.ceil((1 - tokens) / ratePerNano);
        return new Decision(false, 0, wait, untilFull);
    }

    public int burst() {
        return burst;
    }
}
