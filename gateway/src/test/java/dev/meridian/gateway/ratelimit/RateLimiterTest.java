package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.gateway.apikeys.KeyRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final RateLimiter limiter = new RateLimiter();

    private static KeyRecord key(UUID id, KeyRecord.RateLimit limit) {
        return new KeyRecord(id, UUID.randomUUID(), "AbCdEfGhIjKl", "hash", List.of("models"), null, null, "active",
                "eu-central", "http://eu", true, false, "free", limit);
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        var first = key(UUID.randomUUID(), new KeyRecord.RateLimit(1, 2));
        var second = key(UUID.randomUUID(), new KeyRecord.RateLimit(1, 2));
        limiter.take(first, 0);
        limiter.take(first, 0);
        assertThat(limiter.take(first, 0).allowed()).isFalse();
        assertThat(limiter.take(second, 0).allowed()).isTrue();
    }

    @Test
    void aChangedPlanLimitTakesEffectAtOnce() {
        UUID id = UUID.randomUUID();
        limiter.take(key(id, new KeyRecord.RateLimit(1, 1)), 0);
        assertThat(limiter.take(key(id, new KeyRecord.RateLimit(1, 1)), 0).allowed()).isFalse();
        var upgraded = limiter.take(key(id, new KeyRecord.RateLimit(50, 100)), 0);
        assertThat(upgraded.allowed()).isTrue();
        assertThat(upgraded.remaining()).isEqualTo(99);
    }

    @Test
    void aKeyWithoutALimitGetsTheStrictFallbackNotUnlimited() {
        var unlimited = key(UUID.randomUUID(), null);
        assertThat(limiter.take(unlimited, 0).allowed()).isTrue();
        assertThat(limiter.take(unlimited, 0).allowed()).isFalse();
        assertThat(RateLimiter.limitOf(unlimited)).isEqualTo(RateLimiter.FALLBACK);
    }

    @Test
    void resetTimesAreWrittenAsOpenAiDoes() {
        assertThat(RateLimiter.durationText(200_000_000L)).isEqualTo("200ms");
        assertThat(RateLimiter.durationText(1)).isEqualTo("1ms");
        assertThat(RateLimiter.durationText(2_000_000_000L)).isEqualTo("2s");
        assertThat(RateLimiter.durationText(1_400_000_000L)).isEqualTo("1.4s");
        assertThat(RateLimiter.durationText(125_000_000_000L)).isEqualTo("2m5s");
    }
}
