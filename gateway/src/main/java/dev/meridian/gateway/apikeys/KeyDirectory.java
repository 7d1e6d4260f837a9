package dev.meridian.gateway.apikeys;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Finds key records by prefix: from memory when it can, else from tenancy, within each caller's budget of lookups
 * ({@link KeyLookupLimiter}). Entries are dropped when {@code tenancy.changes} says so (see {@link KeyCache} for how a
 * lookup racing an invalidation is kept out); {@code api_key.created} also drops the prefix from the unknown ones.
 */
@ApplicationScoped
public class KeyDirectory {

    @Inject
    GatewayConfig config;
    @Inject
    TenancyKeys tenancy;

    private static final String MEMBER = "member ";

    private KeyCache cache;
    private KeyLookupLimiter limiter;

    @PostConstruct
    void init() {
        var c = config.keyCache();
        var l = c.lookups();
        limiter = new KeyLookupLimiter(new KeyLookupLimiter.Limits(l.perClientPerSecond(), l.perClientBurst(),
                l.maxInFlight(), l.maxClients()), Ticker.systemTicker());
        cache = new KeyCache(c.ttl(), c.negativeTtl(), c.maxEntries(), c.maxUnknownEntries(), Ticker.systemTicker(),
                limiter, this::lookUp);
    }

    /**
     * Completes with the record, or empty for an unknown prefix; fails with {@link KeyLookupRefused} when a lookup
     * was needed but {@code caller}'s budget (or the gateway's) did not allow it, and with
     * {@link TenancyKeys.Unavailable} when tenancy did not answer.
     */
    public CompletableFuture<Optional<KeyRecord>> find(String prefix, SocketAddress caller) {
        return cache.find(prefix, KeyLookupLimiter.clientOf(caller == null ? null : caller.hostAddress()));
    }

    /** As {@link #find(String, SocketAddress)} for a caller whose address is not known: all such share one budget. */
    public CompletableFuture<Optional<KeyRecord>> find(String prefix) {
        return find(prefix, null);
    }

    /**
     * A signed-in user as a caller for a tenant (see {@link TenancyKeys#findMember}), cached, limited and dropped
     * like keys: an entry belongs to its tenant, so a tenant or member change drops it.
     */
    public CompletableFuture<Optional<KeyRecord>> findMember(UUID tenant, String user, SocketAddress caller) {
        return cache.find(MEMBER + tenant + " " + user,
                KeyLookupLimiter.clientOf(caller == null ? null : caller.hostAddress()));
    }

    /** Members share the keys' cache under ids no key prefix can have (prefixes have no spaces). */
    private CompletionStage<Optional<KeyRecord>> lookUp(String id) {
        if (id.startsWith(MEMBER)) {
            String[] tenantAndUser = id.substring(MEMBER.length()).split(" ", 2);
            return tenancy.findMember(UUID.fromString(tenantAndUser[0]), tenantAndUser[1]);
        }
        return tenancy.find(id);
    }

    public void invalidate(String prefix) {
        cache.invalidate(prefix);
    }

    /**
     * Drops what is cached for the tenant's keys and signed-in callers, including users remembered as no caller of it:
     * a tenant event may be the one that lets them in (a partner's grant, say).
     */
    public void invalidateTenant(UUID tenantId) {
        cache.invalidateTenant(tenantId);
        String members = MEMBER + tenantId + " ";
        cache.forgetUnknown(id -> id.startsWith(members));
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    public long size() {
        return cache.size();
    }

    public KeyCache.Counts counts() {
        return cache.counts();
    }

    /** Prefixes remembered as unknown. */
    public long unknownSize() {
        return cache.unknownSize();
    }

    /** Tenancy lookups under way. */
    public int lookupsInFlight() {
        return limiter.inFlight();
    }

    /** Seeds the cache, for tests that have no tenancy to ask. */
    void put(String prefix, KeyRecord record) {
        cache.put(prefix, record);
    }

    boolean isCached(String prefix) {
        return cache.isCached(prefix);
    }
}
