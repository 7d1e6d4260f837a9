package dev.meridian.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.gateway.apikeys.KeyRecord;
import java.time.Duration;
import java.util.UUID;

/**
 * Per-key token buckets in this gateway's memory: the limit when there is no billing to share it, and while billing
 * does not answer. Each gateway limits on its own then, so N gateways allow up to N times the plan's rate.
 */
public final class LocalBuckets {

    /** An idle key's bucket is long full again by then, so dropping it changes nothing. */
    private final Cache<UUID, TokenBucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();

    public TokenBucket.Decision take(UUID keyId, KeyRecord.RateLimit limit, long nowNanos) {
        TokenBucket bucket = buckets.getIfPresent(keyId);
        if (bucket == null || bucket.ratePerSecond() != limit.requestsPerSecond() || bucket.burst() != limit.burst()) {
            // A new key, or its plan changed: start from a full bucket of the new size.
            bucket = buckets.asMap().compute(keyId, (id, existing) -> existing != null
                    && existing.ratePerSecond() == limit.requestsPerSecond() && existing.burst() == limit.burst()
                            ? existing
                            : new TokenBucket(limit.requestsPerSecond(), limit.burst(), nowNanos));
        }
        return bucket.tryTake(nowNanos);
    }
}
