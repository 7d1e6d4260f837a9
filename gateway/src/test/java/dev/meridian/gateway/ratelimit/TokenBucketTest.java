package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheBurstAtOnceThenRefusesWithTheWaitForOneToken() {
        var bucket = new TokenBucket(5, 10, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.tryTake(0).allowed()).as("request %d", i).isTrue();
        }
        var refused = bucket.tryTake(0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterNanos()).isEqualTo(SECOND / 5);
    }

    @Test
    void refillsAtTheSustainedRateButNeverAboveTheBurst() {
        var bucket = new TokenBucket(5, 10, 0);
        for (int i = 0; i < 10; i++) {
            bucket.tryTake(0);
        }
        assertThat(bucket.tryTake(SECOND).remaining()).isEqualTo(4); // 5 refilled, 1 taken
        var afterLongIdle = new TokenBucket(5, 10, 0);
        assertThat(afterLongIdle.tryTake(3600 * SECOND).remaining()).isEqualTo(9);
    }

    @Test
    void clockGoingBackwardsGrantsNothingExtra() {
        var bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.tryTake(10 * SECOND).allowed()).isTrue();
        assertThat(bucket.tryTake(5 * SECOND).allowed()).isFalse();
    }
}
