package dev.meridian.gateway.ratelimit;

import dev.meridian.gateway.apikeys.KeyRecord;
import dev.meridian.gateway.budgets.BillingLeases;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.metering.GatewayIdentity;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Per-key request limits from the tenant's plan. With {@code billing-url}, a key has one bucket at billing for all
 * gateways and replicas of all regions, spent here in slices ({@link RateSlices}; the bound this keeps is stated in
 * docs/architecture.md, "Rate limits"). Without it, or while billing does not answer, each gateway keeps its own
 * bucket per key ({@link LocalBuckets}), so N gateways allow up to N times the plan's rate. The limit is applied by the
 * gateway that saw the key, never again by the home gateway a call is forwarded to.
 */
@ApplicationScoped
public class RateLimiter {

    /** Used when tenancy sends no limit: strict, so a missing plan never means unlimited. */
    static final KeyRecord.RateLimit FALLBACK = new KeyRecord.RateLimit(1, 1);

    @Inject
    GatewayConfig config;
    @Inject
    BillingLeases billing;

    private final LocalBuckets local = new LocalBuckets();
    private RateSlices shared;

    @PostConstruct
    void init() {
        if (config.billingUrl().isPresent()) {
            shared = new RateSlices(billing::rateLease, local, GatewayIdentity.of(config), config.rateLimits().slice(),
                    config.budgets().retryAfterFailure(), System::nanoTime);
        }
    }

    /** Admits or refuses one request of {@code key}; completes at once unless a first slice must be asked for. */
    public CompletionStage<TokenBucket.Decision> take(KeyRecord key) {
        KeyRecord.RateLimit limit = limitOf(key);
        if (shared == null) {
            return CompletableFuture.completedFuture(local.take(key.keyId(), limit, System.nanoTime()));
        }
        return shared.take(key.tenantId(), key.keyId(), limit);
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
