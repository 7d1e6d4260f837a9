package dev.meridian.gateway.ratelimit;

import dev.meridian.gateway.apikeys.KeyRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key request limits from the tenant's plan, kept in this gateway's memory. Each replica limits on its own, so
 * N replicas behind a load balancer allow up to N times the plan's rate; a key's traffic normally lands on its home
 * region's gateways only.
 */
@ApplicationScoped
public class RateLimiter {

    private record Keyed(int rate, int burst, TokenBucket bucket) {
    }

    private final ConcurrentHashMap<UUID, Keyed> buckets = new ConcurrentHashMap<>();

    public TokenBucket.Decision take(KeyRecord key, long nowNanos) {
        var limit = key.rateLimit() == null ? new KeyRecord.RateLimit(1, 1) : key.rateLimit();
        Keyed k = buckets.compute(key.keyId(), (id, existing) ->
                existing != null && existing.rate() == limit.requestsPerSecond() && existing.burst() == limit.burst()
                        ? existing
                        : new Keyed(limit.requestsPerSecond(), limit.burst(),
                                new TokenBucket(limit.requestsPerSecond(), limit.burst(), nowNanos)));
        return k.bucket().tryTake(nowNanos);
    }

    public int limitOf(KeyRecord key) {
        return key.rateLimit() == null ? 1 : key.rateLimit().requestsPerSecond();
    }
}
