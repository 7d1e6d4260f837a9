package dev.meridian.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;

/**
 * Per-key tokens-per-minute limits of generative calls, from the key's plan (tenancy's
 * {@code meridian.tenancy.plans.<plan>.tokens-per-minute}, {@code rate-limits.default-tokens-per-minute} when it
 * says none). Applied by the gateway that serves the call, the only one that learns how many tokens it used: the
 * tenant's home gateway, so every region's calls of a key meet in one place. Each replica there keeps its own
 * buckets, so N replicas allow up to N times the plan's rate (billing's shared buckets hold request rates only).
 */
@ApplicationScoped
public class TokenRateLimiter {

    @Inject
    GatewayConfig config;

    /** An idle key's bucket is full again after a minute, so dropping it after ten changes nothing. */
    private final Cache<UUID, TokenAllowance> allowances = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();

    /** The limit that applies: the plan's when tenancy (or the forwarding gateway) named one, else the default. */
    public long perMinute(long fromPlan) {
        return fromPlan > 0 ? fromPlan : config.rateLimits().defaultTokensPerMinute();
    }

    /** Whether {@code key} may start a generative call now; takes nothing. */
    public TokenAllowance.Decision check(UUID key, long perMinute) {
        return allowance(key, perMinute).check(System.nanoTime());
    }

    /** Takes what a generative call of {@code key} used (prompt and completion tokens). */
    public void debit(UUID key, long perMinute, long tokens) {
        allowance(key, perMinute).debit(tokens, System.nanoTime());
    }

    private TokenAllowance allowance(UUID key, long perMinute) {
        TokenAllowance current = allowances.getIfPresent(key);
        if (current != null && current.perMinute() == perMinute) {
            return current;
        }
        // a new key, or its plan changed: start from a full bucket of the new size
        return allowances.asMap().compute(key, (k, existing) -> existing != null && existing.perMinute() == perMinute
                ? existing : new TokenAllowance(perMinute, System.nanoTime()));
    }
}
