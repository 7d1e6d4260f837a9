package dev.meridian.gateway.apikeys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Key records by prefix, in memory, in front of a slower lookup. Found keys are kept for {@code ttl}, unknown
 * prefixes for {@code negativeTtl}; concurrent misses for one prefix share one lookup.
 * <p>
 * Invalidation race: a lookup that was under way when an invalidation for its prefix (or any tenant) arrived may
 * carry data from before the change. Such a lookup is marked stale; it still answers the requests that waited for
 * it, but what it cached is removed again. The order makes this safe without locks: a lookup caches first and then
 * reads its mark, an invalidation marks first and then empties the cache, so whichever runs second cleans up.
 */
public final class KeyCache {

    /** What the cache holds for a prefix; the answer is built once so that hits allocate nothing. */
    private record Entry(CompletableFuture<Optional<KeyRecord>> answer, Optional<KeyRecord> record) {
        Entry(Optional<KeyRecord> record) {
            this(CompletableFuture.completedFuture(record), record);
        }
    }

    /** A lookup in flight, shared by every request that missed the cache for its prefix meanwhile. */
    private static final class Lookup {
        final CompletableFuture<Optional<KeyRecord>> result = new CompletableFuture<>();
        volatile boolean stale;
    }

    private final Function<String, CompletionStage<Optional<KeyRecord>>> lookup;
    private final Cache<String, Entry> cache;
    private final ConcurrentHashMap<String, Lookup> inFlight = new ConcurrentHashMap<>();

    /**
     * @param lookup asks the source of truth; completes with empty when no key has the prefix, exceptionally when
     *               the source cannot answer (nothing is cached then)
     */
    public KeyCache(Duration ttl, Duration negativeTtl, long maxEntries, Ticker ticker,
            Function<String, CompletionStage<Optional<KeyRecord>>> lookup) {
        this.lookup = lookup;
        long positive = ttl.toNanos();
        long negative = negativeTtl.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String prefix, Entry entry, long currentTime) {
                        return entry.record().isPresent() ? positive : negative;
                    }

                    @Override
                    public long expireAfterUpdate(String prefix, Entry entry, long currentTime, long currentDuration) {
                        return expireAfterCreate(prefix, entry, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String prefix, Entry entry, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** The record for {@code prefix}: at once from memory, else from the lookup (joined if one is under way). */
    public CompletableFuture<Optional<KeyRecord>> find(String prefix) {
        Entry cached = cache.getIfPresent(prefix);
        if (cached != null) {
            return cached.answer();
        }
        var mine = new Lookup();
        Lookup earlier = inFlight.putIfAbsent(prefix, mine);
        if (earlier != null) {
            return earlier.result;
        }
        CompletionStage<Optional<KeyRecord>> fetched;
        try {
            fetched = lookup.apply(prefix);
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete((found, failure) -> {
            if (failure == null) {
                var entry = new Entry(found);
                cache.put(prefix, entry);
                if (mine.stale) {
                    cache.asMap().remove(prefix, entry);
                }
            }
            inFlight.remove(prefix, mine);
            if (failure == null) {
                mine.result.complete(found);
            } else {
                mine.result.completeExceptionally(failure);
            }
        });
        return mine.result;
    }

    /** Forgets one prefix: the key was created, changed or revoked. */
    public void invalidate(String prefix) {
        Lookup running = inFlight.get(prefix);
        if (running != null) {
            running.stale = true;
        }
        cache.invalidate(prefix);
    }

    /**
     * Forgets every key of a tenant: its status or policy changed. Lookups under way are all marked stale, since
     * which tenant a prefix belongs to is only known once its lookup answers.
     */
    public void invalidateTenant(UUID tenantId) {
        inFlight.values().forEach(l -> l.stale = true);
        cache.asMap().values().removeIf(e -> e.record().map(r -> tenantId.equals(r.tenantId())).orElse(false));
    }

    /** Forgets everything, for when changes may have been missed (the change feed was away). */
    public void invalidateAll() {
        inFlight.values().forEach(l -> l.stale = true);
        cache.invalidateAll();
    }

    /** Puts a record (or, with {@code null}, an unknown prefix) straight into memory. */
    public void put(String prefix, KeyRecord record) {
        cache.put(prefix, new Entry(Optional.ofNullable(record)));
    }

    public boolean isCached(String prefix) {
        return cache.getIfPresent(prefix) != null;
    }

    public long size() {
        return cache.estimatedSize();
    }
}
