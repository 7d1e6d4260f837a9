package dev.meridian.platform.supervisor;

import java.time.Duration;

/**
 * How long the supervisor waits before restarting a part that exited: {@code initial}, doubling with each attempt up
 * to {@code max}. A part that stayed up for {@code resetAfter} before it exited starts again from {@code initial}, so
 * one crash a day never waits 30 s, while a part that cannot start does not spin.
 */
public record Backoff(Duration initial, Duration max, Duration resetAfter) {

    /** 1 s, 2 s, 4 s ... 30 s; back to 1 s after a minute up. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofMinutes(1));

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** The wait before attempt {@code attempt} (1 for the first restart after a run). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, got " + attempt);
        }
        Duration delay = initial;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
