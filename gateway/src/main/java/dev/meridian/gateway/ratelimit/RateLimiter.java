package dev.meridian.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.gateway.apikeys.KeyRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * Per-key request limits from the tenant's plan, kept in this gateway's memory. Each replica limits on its own, so
 * N gateway replicas behind a load balancer allow up to N times the plan's rate (a key's traffic normally enters
 * through one region's gateways). The limit is applied by the gateway that saw the key, never again by the home
 * gateway a call is forwarded to.
 */
@ApplicationScoped
public class RateLimiter {

    /** Used when tenancy sends no limit: strict, so a missing plan never means unlimited. */
    static final KeyRecord.RateLimit FALLBACK = new KeyRecord.RateLimit(1, 1);

    /** An idle key's bucket is long full again by then, so dropping it changes nothing. */
    private final Cache<UUID, TokenBucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();

    public TokenBucket.Decision take(KeyRecord key, long nowNanos) {
        KeyRecord.RateLimit limit = limitOf(key);
        TokenBucket bucket = buckets.getIfPresent(key.keyId());
        if (bucket == null || bucket.ratePerSecond() != limit.requestsPerSecond() || bucket.burst() != limit.burst()) {
            // A new key, or its plan changed: start from a full bucket of the new size.
            bucket = buckets.asMap().compute(key.keyId(), (id, existing) -> existing != null
                    && existing.ratePerSecond() == limit.requestsPerSecond() && existing.burst() == limit.burst()
                            ? existing
                            : new TokenBucket(limit.requestsPerSecond(), limit.burst(), nowNanos));
        }
        return bucket.tryTake(nowNanos);
    }

    public static KeyRecord.RateLimit limitOf(KeyRecord key) {
        KeyRecord.RateLimit limit = key.rateLimit();
        return limit == null || limit.requestsPerSecond() <= 0 || limit.burst() <= 0 ? FALLBACK : limit;
    }

    /** A duration as OpenAI writes it in {@code x-ratelimit-reset-requests}: {@code 200ms}, {@code 1.4s}, {@code 2m5s}. */
    public static String durationText(long nanos) {
        long millis = Math.max(0, (nanos + 999_999) / 1_000_000);
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            long whole = millis / 1000;
            long tenths = (millis % 1000 + 99) / 100;
            if (tenths == 10) {
                return (whole + 1) + "s";
            }
            return tenths == 0 ? whole + "s" : whole + "." + tenths + "s";
        }
        long seconds = (millis + 999) / 1000;
        return seconds / 60 + "m" + seconds % 60 + "s";
    }
}
