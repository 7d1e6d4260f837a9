package dev.meridian.gateway.apikeys;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.meridian.gateway.config.GatewayConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Finds key records by prefix: from memory when it can, else from tenancy. Entries are dropped when
 * {@code tenancy.changes} says so (see {@link KeyCache} for how a lookup racing an invalidation is kept out).
 */
@ApplicationScoped
public class KeyDirectory {

    @Inject
    GatewayConfig config;
    @Inject
    TenancyKeys tenancy;

    private KeyCache cache;

    @PostConstruct
    void init() {
        var c = config.keyCache();
        cache = new KeyCache(c.ttl(), c.negativeTtl(), c.maxEntries(), Ticker.systemTicker(), tenancy::find);
    }

    /** Completes with the record, or empty for an unknown prefix; fails with {@link TenancyKeys.Unavailable}. */
    public CompletableFuture<Optional<KeyRecord>> find(String prefix) {
        return cache.find(prefix);
    }

    public void invalidate(String prefix) {
        cache.invalidate(prefix);
    }

    public void invalidateTenant(UUID tenantId) {
        cache.invalidateTenant(tenantId);
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    public long size() {
        return cache.size();
    }

    /** Seeds the cache, for tests that have no tenancy to ask. */
    void put(String prefix, KeyRecord record) {
        cache.put(prefix, record);
    }

    boolean isCached(String prefix) {
        return cache.isCached(prefix);
    }
}
