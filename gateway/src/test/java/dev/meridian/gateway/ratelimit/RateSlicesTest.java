package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.RateLease;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.gateway.apikeys.KeyRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The slice logic alone, with a fake clock and billing played by futures the test completes or by a model bucket. */
class RateSlicesTest {

    static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-000000000001");
    static final UUID KEY = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
    static final KeyRecord.RateLimit LIMIT = new KeyRecord.RateLimit(100, 50);
    static final Duration SLICE = Duration.ofMillis(100);
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

    /** Billing as the test drives it: every request waits until the test answers it. */
    static final class Billing {
        final List<RateLeaseRequest> requests = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<RateLease>> pending = new CopyOnWriteArrayList<>();

        CompletionStage<RateLease> request(RateLeaseRequest r) {
            requests.add(r);
            var f = new CompletableFuture<RateLease>();
            pending.add(f);
            return f;
        }

        void grant(int tokens) {
            pending.getLast().complete(new RateLease(KEY, tokens, 1000, 0, 500));
        }

        void refuse(long nextTokenInMs) {
            pending.getLast().complete(new RateLease(KEY, 0, 1000, nextTokenInMs, 500));
        }

        void fail() {
            pending.getLast().completeExceptionally(new IllegalStateException("billing is down"));
        }
    }

    final Billing billing = new Billing();
    /** A {@code nanoTime} reading; its origin is arbitrary and may be negative, so the test starts below zero. */
    final AtomicLong now = new AtomicLong(-3_000_000_000_000L);

    RateSlices slices(Billing b, String gateway) {
        return new RateSlices(b::request, new LocalBuckets(), gateway, SLICE, RETRY_AFTER_FAILURE, now::get);
    }

    static TokenBucket.Decision done(CompletionStage<TokenBucket.Decision> stage) {
        var f = stage.toCompletableFuture();
        assertThat(f).as("decided without waiting for billing").isDone();
        return f.join();
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aSliceIsATenthOfASecondOfTheRateAtLeastOneAtMostTheBurst() {
        long slice = SLICE.toNanos();
        assertThat(RateSlices.sliceSize(new KeyRecord.RateLimit(100, 50), slice)).isEqualTo(10);
        assertThat(RateSlices.sliceSize(new KeyRecord.RateLimit(5, 10), slice)).isEqualTo(1);
        assertThat(RateSlices.sliceSize(new KeyRecord.RateLimit(15, 10), slice)).isEqualTo(2);
        assertThat(RateSlices.sliceSize(new KeyRecord.RateLimit(1000, 20), slice)).isEqualTo(20);
    }

    @Test
    void sixtyFourCallersWaitingForTheFirstSliceCauseOneBillingRequest() {
        var limiter = slices(billing, "eu-central-1");
        List<CompletableFuture<TokenBucket.Decision>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            calls.add(limiter.take(TENANT, KEY, LIMIT).toCompletableFuture());
        }
        assertThat(billing.requests).containsExactly(new RateLeaseRequest(TENANT, KEY, "eu-central-1", 10, 100, 50));
        assertThat(calls).noneMatch(CompletableFuture::isDone);

        billing.grant(10);
        // ten got the slice; the others wait for one more request, for as many as wait (up to the burst)
        assertThat(calls.stream().filter(c -> c.isDone() && c.join().allowed())).hasSize(10);
        assertThat(billing.requests).hasSize(2);
        assertThat(billing.requests.getLast().want()).isEqualTo(50);
        billing.refuse(10);
        assertThat(calls).allMatch(CompletableFuture::isDone);
        var refused = calls.stream().map(CompletableFuture::join).filter(d -> !d.allowed()).toList();
        assertThat(refused).hasSize(54);
        assertThat(refused).allSatisfy(d -> assertThat(d.retryAfterNanos())
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(10)));
    }

    @Test
    void aSteadyStreamNeverWaitsForBillingBecauseTheNextSliceIsAskedForAhead() {
        var limiter = slices(billing, "eu-central-1");
        limiter.take(TENANT, KEY, LIMIT);
        billing.grant(10);
        int asked = billing.requests.size();
        for (int i = 0; i < 300; i++) {
            var decision = done(limiter.take(TENANT, KEY, LIMIT));
            assertThat(decision.allowed()).isTrue();
            if (billing.requests.size() > asked) { // billing answers the slice asked for ahead before it is needed
                asked = billing.requests.size();
                billing.grant(10);
            }
            advance(Duration.ofMillis(10)); // 100 requests/s, the plan's rate
        }
        // one request per slice of 10, never two at once
        assertThat(billing.requests).hasSizeBetween(30, 32);
    }

    @Test
    void remainingIsWhatThisGatewayMayStillAdmit() {
        var limiter = slices(billing, "eu-central-1");
        var first = limiter.take(TENANT, KEY, LIMIT);
        billing.grant(10);
        assertThat(first.toCompletableFuture().join().remaining()).isEqualTo(9);
        assertThat(done(limiter.take(TENANT, KEY, LIMIT)).remaining()).isEqualTo(8);
        assertThat(done(limiter.take(TENANT, KEY, LIMIT)).resetNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void noTokenAndNoneGrantedIs429UntilBillingsNextTokenWithoutAskingAgain() {
        var limiter = slices(billing, "eu-central-1");
        var first = limiter.take(TENANT, KEY, LIMIT);
        billing.refuse(300);
        var refused = first.toCompletableFuture().join();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);

        advance(Duration.ofMillis(200));
        var again = done(limiter.take(TENANT, KEY, LIMIT));
        assertThat(again.allowed()).isFalse();
        assertThat(again.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(billing.requests).hasSize(1);

        advance(Duration.ofMillis(100));
        var later = limiter.take(TENANT, KEY, LIMIT);
        assertThat(billing.requests).hasSize(2);
        billing.grant(1);
        assertThat(later.toCompletableFuture().join().allowed()).isTrue();
    }

    @Test
    void aKeyWhoseLimitChangesAsksBillingAtOnceInsteadOfWaitingAtTheOldRate() {
        var slow = new KeyRecord.RateLimit(5, 10);
        var limiter = slices(billing, "eu-central-1");
        var first = limiter.take(TENANT, KEY, slow);
        billing.refuse(200); // the free plan's 5 per second, spent
        assertThat(first.toCompletableFuture().join().allowed()).isFalse();
        assertThat(done(limiter.take(TENANT, KEY, slow)).allowed()).as("still the old limit").isFalse();
        assertThat(billing.requests).hasSize(1);

        var upgraded = new KeyRecord.RateLimit(1000, 2000);
        var after = limiter.take(TENANT, KEY, upgraded);
        assertThat(billing.requests).as("billing is asked under the new limit at once").hasSize(2);
        assertThat(billing.requests.getLast().requestsPerSecond()).isEqualTo(1000);
        billing.grant(20);
        assertThat(after.toCompletableFuture().join().allowed()).isTrue();
    }

    @Test
    void anExpiredSliceIsNotSpent() {
        var limiter = slices(billing, "eu-central-1");
        limiter.take(TENANT, KEY, LIMIT);
        billing.grant(10);
        advance(Duration.ofMillis(1000)); // the slice lasted 1000 ms from when it was asked for
        var late = limiter.take(TENANT, KEY, LIMIT).toCompletableFuture();
        assertThat(late).isNotDone();
        assertThat(billing.requests).hasSize(2);
        billing.refuse(5);
        assertThat(late.join().allowed()).isFalse();
    }

    @Test
    void whileBillingIsDownEachGatewayLimitsOnItsOwnBucketAndTheSharedLimitReturnsWithBilling() {
        var limiter = slices(billing, "eu-central-1");
        var first = limiter.take(TENANT, KEY, LIMIT);
        billing.fail();
        // the local bucket: the burst at once, then 429, and billing is not asked on every call
        assertThat(first.toCompletableFuture().join().allowed()).isTrue();
        for (int i = 1; i < 50; i++) {
            assertThat(done(limiter.take(TENANT, KEY, LIMIT)).allowed()).isTrue();
        }
        assertThat(done(limiter.take(TENANT, KEY, LIMIT)).allowed()).isFalse();
        assertThat(billing.requests).hasSize(1);

        // after retry-after-failure billing is asked again in the background; the call itself does not wait
        advance(RETRY_AFTER_FAILURE);
        assertThat(done(limiter.take(TENANT, KEY, LIMIT)).allowed()).isTrue(); // 100 refilled
        assertThat(billing.requests).hasSize(2);
        billing.grant(10);
        var shared = done(limiter.take(TENANT, KEY, LIMIT));
        assertThat(shared.allowed()).isTrue();
        assertThat(shared.remaining()).isEqualTo(9);
    }

    /** Billing's bucket as billing's SQL computes it, answering at once, with the slice TTL of billing's default. */
    static final class ModelBilling {
        final long interval;
        final long tolerance;
        final AtomicLong clock;
        final long ttlMs;
        long fullAt;

        ModelBilling(KeyRecord.RateLimit limit, AtomicLong clock, long ttlMs) {
            this.interval = TimeUnit.SECONDS.toNanos(1) / limit.requestsPerSecond();
            this.tolerance = interval * limit.burst();
            this.clock = clock;
            this.ttlMs = ttlMs;
            this.fullAt = clock.get();
        }

        synchronized CompletionStage<RateLease> request(RateLeaseRequest r) {
            long now = clock.get();
            long start = Math.max(fullAt, now);
            int granted = (int) Math.max(0, Math.min(r.want(), (now + tolerance - start) / interval));
            fullAt = start + granted * interval;
            long next = Math.max(0, fullAt + interval - tolerance - now);
            return CompletableFuture.completedFuture(new RateLease(r.keyId(), granted, ttlMs,
                    (next + 999_999) / 1_000_000, (Math.max(0, fullAt - now) + 999_999) / 1_000_000));
        }
    }

    @Test
    void fourGatewaysUnderConstantBurstsAdmitNoMoreThanTheStatedBoundInAnyWindow() {
        var limit = new KeyRecord.RateLimit(10, 20);
        Duration ttl = Duration.ofSeconds(1);
        var model = new ModelBilling(limit, now, ttl.toMillis());
        List<RateSlices> gateways = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            gateways.add(new RateSlices(model::request, new LocalBuckets(), "gw-" + g, SLICE, RETRY_AFTER_FAILURE,
                    now::get));
        }
        List<Long> admitted = new ArrayList<>();
        int[] perGateway = new int[4];
        long start = now.get();
        for (int ms = 0; ms < 6000; ms++) {
            for (int g = 0; g < 4; g++) {
                for (int call = 0; call < 3; call++) { // 3000 calls/s at each gateway
                    if (done(gateways.get(g).take(TENANT, KEY, limit)).allowed()) {
                        admitted.add(now.get() - start);
                        perGateway[g]++;
                    }
                }
            }
            advance(Duration.ofMillis(1));
        }
        assertThat(java.util.Arrays.stream(perGateway).boxed().toList()).allMatch(n -> n > 0);
        for (Duration window : List.of(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(3))) {
            long bound = RateSlices.admittedAtMost(limit, window, ttl);
            assertThat(mostInAnyWindow(admitted, window.toNanos())).as("admitted in %s", window)
                    .isLessThanOrEqualTo(bound);
        }
        // the arithmetic: burst + rate × (window + ttl)
        assertThat(RateSlices.admittedAtMost(limit, Duration.ofSeconds(3), ttl)).isEqualTo(20 + 10 * 4);
        // and the whole run stays near the key's one limit, far below four gateways' own buckets (4 × 80)
        assertThat(admitted.size()).isLessThanOrEqualTo(20 + 10 * 6 + 1);
    }

    /** The most admission times within any closed window of {@code width} nanoseconds (times are sorted). */
    static long mostInAnyWindow(List<Long> times, long width) {
        long most = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (times.get(to) - times.get(from) > width) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }
}
