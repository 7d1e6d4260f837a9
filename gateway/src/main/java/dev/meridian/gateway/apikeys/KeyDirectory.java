package dev.meridian.gateway.apikeys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.meridian.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds key records by prefix: from memory when it can, else from tenancy (one lookup per prefix however many
 * requests wait for it). Entries are dropped when {@code tenancy.changes} says so; a lookup that was under way when
 * an invalidation arrived answers its waiting requests but is not cached, so stale data never outlives the event.
 */
@ApplicationScoped
public class KeyDirectory {

    /** Tenancy could not be asked; the request gets a 503. */
    public static class TenancyUnavailable extends RuntimeException {
        TenancyUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Entry(Optional<KeyRecord> record) {
    }

    @Inject
    GatewayConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ServiceToken serviceToken;
    @Inject
    ObjectMapper json;

    private Cache<String, Entry> cache;
    private final ConcurrentHashMap<String, CompletableFuture<Optional<KeyRecord>>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong invalidations = new AtomicLong();
    private WebClient http;

    @PostConstruct
    void init() {
        long positive = config.keyCache().ttl().toNanos();
        long negative = config.keyCache().negativeTtl().toNanos();
        cache = Caffeine.newBuilder()
                .maximumSize(config.keyCache().maxEntries())
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry value, long currentTime) {
                        return value.record().isPresent() ? positive : negative;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setMaxPoolSize(50)
                .setConnectTimeout(2000).setIdleTimeout(60));
    }

    public CompletionStage<Optional<KeyRecord>> find(String prefix) {
        Entry cached = cache.getIfPresent(prefix);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached.record());
        }
        var mine = new CompletableFuture<Optional<KeyRecord>>();
        var earlier = inFlight.putIfAbsent(prefix, mine);
        if (earlier != null) {
            return earlier;
        }
        lookup(prefix).whenComplete((found, failure) -> {
            inFlight.remove(prefix, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(found);
            }
        });
        return mine;
    }

    private CompletableFuture<Optional<KeyRecord>> lookup(String prefix) {
        long epoch = invalidations.get();
        CompletableFuture<Optional<KeyRecord>> result = serviceToken.get()
                .thenCompose(token -> http.getAbs(config.tenancyUrl() + "/internal/v1/api-keys/" + prefix)
                        .putHeader("Authorization", "Bearer " + token)
                        .timeout(5000)
                        .send()
                        .toCompletionStage())
                .thenApply(response -> switch (response.statusCode()) {
                    case 200 -> Optional.of(parse(response.bodyAsString()));
                    case 404 -> Optional.<KeyRecord>empty();
                    default -> throw new TenancyUnavailable("tenancy answered " + response.statusCode()
                            + " to a key lookup", null);
                })
                .toCompletableFuture();
        return result.whenComplete((found, failure) -> {
            if (failure == null && invalidations.get() == epoch) {
                cache.put(prefix, new Entry(found));
            }
        }).exceptionally(failure -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
            throw cause instanceof TenancyUnavailable t ? t
                    : new TenancyUnavailable("cannot reach tenancy at " + config.tenancyUrl() + ": " + cause, cause);
        });
    }

    private KeyRecord parse(String body) {
        try {
            return json.readValue(body, KeyRecord.class);
        } catch (IOException e) {
            throw new TenancyUnavailable("unreadable key record from tenancy", e);
        }
    }

    public void invalidate(String prefix) {
        invalidations.incrementAndGet();
        cache.invalidate(prefix);
    }

    public void invalidateTenant(UUID tenantId) {
        invalidations.incrementAndGet();
        cache.asMap().values().removeIf(e -> e.record().map(r -> tenantId.equals(r.tenantId())).orElse(false));
    }

    /** Seeds the cache, for tests of invalidation. */
    void put(String prefix, KeyRecord record) {
        cache.put(prefix, new Entry(Optional.ofNullable(record)));
    }

    boolean isCached(String prefix) {
        return cache.getIfPresent(prefix) != null;
    }
}
