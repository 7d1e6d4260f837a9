package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.gateway.apikeys.KeyRecord;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LocalBucketsTest {

    private final LocalBuckets buckets = new LocalBuckets();

    @Test
    void eachKeyHasItsOwnBucket() {
        var first = UUID.randomUUID();
        var second = UUID.randomUUID();
        var limit = new KeyRecord.RateLimit(1, 2);
        buckets.take(first, limit, 0);
        buckets.take(first, limit, 0);
        assertThat(buckets.take(first, limit, 0).allowed()).isFalse();
        assertThat(buckets.take(second, limit, 0).allowed()).isTrue();
    }

    @Test
    void aChangedPlanLimitTakesEffectAtOnce() {
        UUID id = UUID.randomUUID();
        buckets.take(id, new KeyRecord.RateLimit(1, 1), 0);
        assertThat(buckets.take(id, new KeyRecord.RateLimit(1, 1), 0).allowed()).isFalse();
        var upgraded = buckets.take(id, new KeyRecord.RateLimit(50, 100), 0);
        assertThat(upgraded.allowed()).isTrue();
        assertThat(upgraded.remaining()).isEqualTo(99);
    }
}
