package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;

    private static TokenBucket drained(int rate, int burst) {
        var bucket = new TokenBucket(rate, burst, 0);
        for (int i = 0; i < burst; i++) {
            assertThat(bucket.tryTake(0).allowed()).as("request %d of the burst", i).isTrue();
        }
        return bucket;
    }

    @Test
    void allowsTheWholeBurstAtOnce() {
        var bucket = new TokenBucket(5, 10, 0);
        for (int i = 0; i < 10; i++) {
            var d = bucket.tryTake(0);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(9 - i);
        }
    }

    @Test
    void refusesBeyondTheBurstWithTheWaitForOneToken() {
        var refused = drained(5, 10).tryTake(0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterNanos()).isEqualTo(SECOND / 5);
        assertThat(refused.resetNanos()).isEqualTo(2 * SECOND);
    }

    @Test
    void refillsAtTheSustainedRate() {
        var bucket = drained(5, 10);
        assertThat(bucket.tryTake(SECOND).remaining()).isEqualTo(4); // 5 refilled, 1 taken
    }

    @Test
    void neverRefillsAboveTheBurst() {
        var bucket = new TokenBucket(5, 10, 0);
        assertThat(bucket.tryTake(3600 * SECOND).remaining()).isEqualTo(9);
    }

    @Test
    void aRefusedRequestTakesNothing() {
        var bucket = drained(5, 10);
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.tryTake(0).allowed()).isFalse();
        }
        assertThat(bucket.tryTake(SECOND / 5).allowed()).isTrue();
    }

    @Test
    void retryAfterIsTheWaitRoundedUpToWholeSeconds() {
        var bucket = drained(1, 1);
        assertThat(bucket.tryTake(0).retryAfterSeconds()).isEqualTo(1);
        assertThat(bucket.tryTake(SECOND / 2).retryAfterSeconds()).isEqualTo(1);
        var slow = drained(1, 2);
        // two taken at once: the next token comes after 1 s
        assertThat(slow.tryTake(100 * MILLI).retryAfterNanos()).isEqualTo(900 * MILLI);
    }

    @Test
    void retryAfterIsNeverZeroSeconds() {
        var bucket = drained(1000, 1);
        var refused = bucket.tryTake(0);
        assertThat(refused.retryAfterNanos()).isEqualTo(MILLI);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void clockGoingBackwardsGrantsNothingExtra() {
        var bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.tryTake(10 * SECOND).allowed()).isTrue();
        assertThat(bucket.tryTake(5 * SECOND).allowed()).isFalse();
    }

    @Test
    void concurrentRequestsNeverGetMoreThanTheBurst() throws Exception {
        var bucket = new TokenBucket(1, 1000, 0);
        try (var pool = Executors.newFixedThreadPool(8)) {
            var tasks = new ArrayList<Callable<Integer>>();
            for (int t = 0; t < 8; t++) {
                tasks.add(() -> {
                    int allowed = 0;
                    for (int i = 0; i < 500; i++) {
                        if (bucket.tryTake(0).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                });
            }
            int total = 0;
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                total += f.get();
            }
            assertThat(total).isEqualTo(1000);
        }
    }

    @Test
    void zeroRateIsRejected() {
        assertThatThrownBy(() -> new TokenBucket(0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
