package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.gateway.apikeys.KeyRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static KeyRecord key(UUID id, KeyRecord.RateLimit limit) {
        return new KeyRecord(id, UUID.randomUUID(), "AbCdEfGhIjKl", "hash", List.of("models"), null, null, "active",
                "eu-central", "http://eu", true, false, "free", limit);
    }

    @Test
    void aKeyWithoutALimitGetsTheStrictFallbackNotUnlimited() {
        var unlimited = key(UUID.randomUUID(), null);
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
