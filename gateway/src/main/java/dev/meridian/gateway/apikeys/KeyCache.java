package dev.meridian.gateway.apikeys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Key records by prefix, in memory, in front of a slower lookup. Found keys are kept for {@code ttl}; unknown
 * prefixes apart from them, at most {@code maxUnknown} for {@code negativeTtl}, so a flood of made-up prefixes can
 * never push real keys out. Concurrent misses for one prefix share one lookup, and every other lookup must be
 * admitted by the {@link KeyLookupLimiter} first (else the find fails with {@link KeyLookupRefused}, asking nothing).
 * <p>
 * Invalidation race: a lookup that was under way when an invalidation for its prefix (or any tenant) arrived may
 * carry data from before the change. Such a lookup is marked stale; it still answers the requests that waited for
 * it, but what it cached is removed again. The order makes this safe without locks: a lookup caches first and then
 * reads its mark, an invalidation marks first and then empties the cache, so whichever runs second cleans up.
 */
public final class KeyCache {

    /** What the cache holds for a found key; the answer is built once so that hits allocate nothing. */
    private record Entry(CompletableFuture<Optional<KeyRecord>> answer, KeyRecord record) {
        Entry(KeyRecord record) {
            this(CompletableFuture.completedFuture(Optional.of(record)), record);
        }
    }

    private static final CompletableFuture<Optional<KeyRecord>> UNKNOWN =
            CompletableFuture.completedFuture(Optional.empty());

    /** A lookup in flight, shared by every request that missed the cache for its prefix meanwhile. */
    private static final class Lookup {
        final CompletableFuture<Optional<KeyRecord>> result = new CompletableFuture<>();
        volatile boolean stale;
    }

    private final Function<String, CompletionStage<Optional<KeyRecord>>> lookup;
    private final KeyLookupLimiter limiter;
    private final Cache<String, Entry> known;
    /** Unknown prefixes; each value is the lookup's own marker, so a stale lookup removes only what it put. */
    private final Cache<String, Object> unknown;
    private final ConcurrentHashMap<String, Lookup> inFlight = new ConcurrentHashMap<>();

    /**
     * @param lookup asks the source of truth; completes with empty when no key has the prefix, exceptionally when
     *               the source cannot answer (nothing is cached then)
     */
    /** How callers were answered: from memory (found or unknown), by joining a lookup under way, or by a lookup. */
    public record Counts(long hits, long unknownHits, long joined, long misses) {
    }

    private final java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder unknownHits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder joined = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lookups = new java.util.concurrent.atomic.LongAdder();

    public Counts counts() {
        return new Counts(hits.sum(), unknownHits.sum(), joined.sum(), lookups.sum());
    }

    public KeyCache(Duration ttl, Duration negativeTtl, long maxEntries, long maxUnknown, Ticker ticker,
            KeyLookupLimiter limiter, Function<String, CompletionStage<Optional<KeyRecord>>> lookup) {
        this.lookup = lookup;
        this.limiter = limiter;
        this.known = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).ticker(ticker).build();
        this.unknown = Caffeine.newBuilder().maximumSize(maxUnknown).expireAfterWrite(negativeTtl).ticker(ticker)
                .build();
    }

    /**
     * The record for {@code prefix}: at once from memory, else from the lookup (joined if one is under way). A new
     * lookup is charged to {@code client} (see {@link KeyLookupLimiter#clientOf}); when the limiter refuses it, the
     * result fails with {@link KeyLookupRefused}.
     */
    public CompletableFuture<Optional<KeyRecord>> find(String prefix, String client) {
        Entry cached = known.getIfPresent(prefix);
        if (cached != null) {
            hits.increment();
            return cached.answer();
        }
        if (unknown.getIfPresent(prefix) != null) {
            unknownHits.increment();
            return UNKNOWN;
        }
        Lookup earlier = inFlight.get(prefix);
        if (earlier != null) {
            joined.increment();
            return earlier.result;
        }
        lookups.increment();
        KeyLookupLimiter.Permit permit;
        try {
            permit = limiter.admit(client);
        } catch (KeyLookupRefused refused) {
            return CompletableFuture.failedFuture(refused);
        }
        var mine = new Lookup();
        earlier = inFlight.putIfAbsent(prefix, mine);
        if (earlier != null) {
            permit.cancel();
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
                remember(prefix, found, mine);
            }
            inFlight.remove(prefix, mine);
            permit.finish(failure == null && found.isEmpty());
            if (failure == null) {
                mine.result.complete(found);
            } else {
                mine.result.completeExceptionally(failure);
            }
        });
        return mine.result;
    }

    private void remember(String prefix, Optional<KeyRecord> found, Lookup mine) {
        if (found.isPresent()) {
            var entry = new Entry(found.get());
            known.put(prefix, entry);
            if (mine.stale) {
                known.asMap().remove(prefix, entry);
            }
        } else {
            Object marker = new Object();
            unknown.put(prefix, marker);
            if (mine.stale) {
                unknown.asMap().remove(prefix, marker);
            }
        }
    }

    /** Forgets one prefix: the key was created, changed or revoked. */
    public void invalidate(String prefix) {
        Lookup running = inFlight.get(prefix);
        if (running != null) {
            running.stale = true;
        }
        known.invalidate(prefix);
        unknown.invalidate(prefix);
    }

    /**
     * Forgets every key of a tenant: its status or policy changed. Lookups under way are all marked stale, since
     * which tenant a prefix belongs to is only known once its lookup answers. Unknown prefixes belong to no tenant.
     */
    public void invalidateTenant(UUID tenantId) {
        inFlight.values().forEach(l -> l.stale = true);
        known.asMap().values().removeIf(e -> tenantId.equals(e.record().tenantId()));
    }

    /** Forgets the ids remembered as unknown that {@code which} picks (a tenant's signed-in callers, say). */
    public void forgetUnknown(java.util.function.Predicate<String> which) {
        unknown.asMap().keySet().removeIf(which);
    }

    /** Forgets everything, for when changes may have been missed (the change feed was away). */
    public void invalidateAll() {
        inFlight.values().forEach(l -> l.stale = true);
        known.invalidateAll();
        unknown.invalidateAll();
    }

    /** Puts a record (or, with {@code null}, an unknown prefix) straight into memory. */
    public void put(String prefix, KeyRecord record) {
        if (record == null) {
            unknown.put(prefix, new Object());
        } else {
            known.put(prefix, new Entry(record));
        }
    }

    public boolean isCached(String prefix) {
        return known.getIfPresent(prefix) != null || unknown.getIfPresent(prefix) != null;
    }

    /** Found keys held. */
    public long size() {
        return known.estimatedSize();
    }

    /** Unknown prefixes held. */
    public long unknownSize() {
        return unknown.estimatedSize();
    }
}
