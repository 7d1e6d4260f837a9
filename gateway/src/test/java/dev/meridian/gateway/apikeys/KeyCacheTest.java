package dev.meridian.gateway.apikeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyCacheTest {

    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID OTHER_TENANT = UUID.randomUUID();

    /** A lookup the test answers by hand, so it decides what happens while one is under way. */
    private final List<String> asked = new ArrayList<>();
    private final List<CompletableFuture<Optional<KeyRecord>>> pending = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = now::get;
    private static final String CLIENT = "192.0.2.1";
    private final KeyCache cache = cacheWith(new KeyLookupLimiter.Limits(1000, 1000, 1000, 1000));

    private KeyCache cacheWith(KeyLookupLimiter.Limits limits) {
        return new KeyCache(Duration.ofSeconds(60), Duration.ofSeconds(5), 1000, 100, ticker,
                new KeyLookupLimiter(limits, ticker), this::lookup);
    }

    private CompletionStage<Optional<KeyRecord>> lookup(String prefix) {
        asked.add(prefix);
        var answer = new CompletableFuture<Optional<KeyRecord>>();
        pending.add(answer);
        return answer;
    }

    private static KeyRecord record(String prefix, UUID tenant) {
        return new KeyRecord(UUID.randomUUID(), tenant, prefix, "hash", List.of("models"), null, null, "active",
                "eu-central", "http://eu", true, false, "free", new KeyRecord.RateLimit(5, 10));
    }

    private void answerLast(KeyRecord record) {
        pending.getLast().complete(Optional.ofNullable(record));
    }

    @Test
    void aFoundKeyIsServedFromMemoryAfterwards() {
        var first = cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(first.join()).isPresent();
        assertThat(cache.find("AAAAAAAAAAAA", CLIENT).join()).isPresent();
        assertThat(asked).containsExactly("AAAAAAAAAAAA");
    }

    @Test
    void concurrentMissesForOnePrefixShareOneLookup() {
        var first = cache.find("AAAAAAAAAAAA", CLIENT);
        var second = cache.find("AAAAAAAAAAAA", CLIENT);
        assertThat(asked).hasSize(1);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(first.join()).isPresent();
        assertThat(second.join()).isEqualTo(first.join());
    }

    @Test
    void aFailedLookupIsNotCached() {
        var first = cache.find("AAAAAAAAAAAA", CLIENT);
        pending.getLast().completeExceptionally(new TenancyKeys.Unavailable("down", null));
        assertThat(first).isCompletedExceptionally();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        cache.find("AAAAAAAAAAAA", CLIENT);
        assertThat(asked).hasSize(2);
    }

    @Test
    void unknownPrefixesAreRememberedForTheNegativeTtlOnly() {
        cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(null);
        assertThat(cache.find("AAAAAAAAAAAA", CLIENT).join()).isEmpty();
        assertThat(asked).hasSize(1);
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        cache.find("AAAAAAAAAAAA", CLIENT);
        assertThat(asked).hasSize(2);
    }

    @Test
    void forgettingUnknownIdsAsksAgainForThoseOnly() {
        for (String id : List.of("member " + TENANT + " alice", "member " + OTHER_TENANT + " alice")) {
            cache.find(id, CLIENT);
            answerLast(null);
        }
        cache.forgetUnknown(id -> id.startsWith("member " + TENANT + " "));
        cache.find("member " + OTHER_TENANT + " alice", CLIENT);
        assertThat(asked).hasSize(2);
        cache.find("member " + TENANT + " alice", CLIENT);
        assertThat(asked).hasSize(3).last().isEqualTo("member " + TENANT + " alice");
    }

    @Test
    void foundKeysExpireAfterThePositiveTtl() {
        cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
    }

    @Test
    void invalidatingAPrefixDropsOnlyThatKey() {
        cache.put("AAAAAAAAAAAA", record("AAAAAAAAAAAA", TENANT));
        cache.put("BBBBBBBBBBBB", record("BBBBBBBBBBBB", TENANT));
        cache.invalidate("AAAAAAAAAAAA");
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        assertThat(cache.isCached("BBBBBBBBBBBB")).isTrue();
    }

    @Test
    void invalidatingATenantDropsAllItsKeysAndNoOthers() {
        cache.put("AAAAAAAAAAAA", record("AAAAAAAAAAAA", TENANT));
        cache.put("BBBBBBBBBBBB", record("BBBBBBBBBBBB", TENANT));
        cache.put("CCCCCCCCCCCC", record("CCCCCCCCCCCC", OTHER_TENANT));
        cache.invalidateTenant(TENANT);
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        assertThat(cache.isCached("BBBBBBBBBBBB")).isFalse();
        assertThat(cache.isCached("CCCCCCCCCCCC")).isTrue();
    }

    @Test
    void aLookupOvertakenByAKeyInvalidationAnswersButIsNotCached() {
        var waiting = cache.find("AAAAAAAAAAAA", CLIENT);
        cache.invalidate("AAAAAAAAAAAA"); // e.g. api_key.revoked arrives while tenancy is still answering
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(waiting.join()).isPresent();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        cache.find("AAAAAAAAAAAA", CLIENT);
        assertThat(asked).hasSize(2);
    }

    @Test
    void aLookupOvertakenByATenantInvalidationIsNotCached() {
        var waiting = cache.find("AAAAAAAAAAAA", CLIENT);
        cache.invalidateTenant(TENANT); // e.g. tenant.suspended
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(waiting.join()).isPresent();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
    }

    @Test
    void anInvalidationOfAnotherPrefixDoesNotStopCaching() {
        cache.find("AAAAAAAAAAAA", CLIENT);
        cache.invalidate("BBBBBBBBBBBB");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
    }

    @Test
    void aLookupStartedAfterTheInvalidationIsCached() {
        cache.find("AAAAAAAAAAAA", CLIENT);
        cache.invalidate("AAAAAAAAAAAA");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
    }

    @Test
    void invalidatingEverythingAlsoOutrunsLookupsUnderWay() {
        cache.put("BBBBBBBBBBBB", record("BBBBBBBBBBBB", OTHER_TENANT));
        cache.find("AAAAAAAAAAAA", CLIENT);
        cache.invalidateAll();
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        assertThat(cache.isCached("BBBBBBBBBBBB")).isFalse();
    }

    @Test
    void unknownPrefixesAreKeptApartSoAFloodNeverPushesFoundKeysOut() {
        cache.put("AAAAAAAAAAAA", record("AAAAAAAAAAAA", TENANT));
        for (int i = 0; i < 2000; i++) {
            cache.find("Z%011d".formatted(i), CLIENT);
            answerLast(null);
        }
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
        assertThat(cache.find("AAAAAAAAAAAA", CLIENT).join()).isPresent();
    }

    @Test
    void aKeyCreatedAfterItsPrefixWasFoundUnknownIsLookedUpAgainOnItsEvent() {
        cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(null);
        assertThat(cache.find("AAAAAAAAAAAA", CLIENT).join()).isEmpty();
        cache.invalidate("AAAAAAAAAAAA"); // api_key.created
        var again = cache.find("AAAAAAAAAAAA", CLIENT);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(again.join()).isPresent();
        assertThat(asked).hasSize(2);
    }

    @Test
    void aCallerThatSpentItsBudgetOnUnknownPrefixesGets429WithoutALookup() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(1, 3, 100, 100));
        for (int i = 0; i < 3; i++) {
            limited.find("Z%011d".formatted(i), CLIENT);
            answerLast(null);
        }
        var refused = limited.find("ZZZZZZZZZZZZ", CLIENT);
        assertThat(asked).hasSize(3);
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((r, e) -> e).join()).isInstanceOfSatisfying(KeyLookupRefused.class, e -> {
            assertThat(e.verdict().status()).isEqualTo(429);
            assertThat(e.verdict().error().error().code()).isEqualTo("rate_limit_exceeded");
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
        });
    }

    @Test
    void theBudgetRefillsWithTime() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(2, 1, 100, 100));
        limited.find("Z00000000000", CLIENT);
        answerLast(null);
        assertThat(limited.find("Z00000000001", CLIENT)).isCompletedExceptionally();
        now.addAndGet(Duration.ofMillis(500).toNanos());
        limited.find("Z00000000001", CLIENT);
        assertThat(asked).hasSize(2);
    }

    @Test
    void eachCallerAddressHasItsOwnBudget() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(1, 1, 100, 100));
        limited.find("Z00000000000", CLIENT);
        answerLast(null);
        assertThat(limited.find("Z00000000001", CLIENT)).isCompletedExceptionally();
        limited.find("Z00000000001", "198.51.100.7");
        assertThat(asked).hasSize(2);
    }

    @Test
    void lookupsThatFindAKeyOrFailDoNotSpendTheBudget() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(1, 1, 100, 100));
        for (int i = 0; i < 5; i++) {
            limited.find("A%011d".formatted(i), CLIENT);
            answerLast(record("A%011d".formatted(i), TENANT));
        }
        limited.find("B00000000000", CLIENT);
        pending.getLast().completeExceptionally(new TenancyKeys.Unavailable("down", null));
        limited.find("C00000000000", CLIENT);
        assertThat(asked).hasSize(7);
    }

    @Test
    void joiningALookupUnderWayCostsNoBudget() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(1, 1, 100, 100));
        var first = limited.find("Z00000000000", CLIENT);
        var joined = limited.find("Z00000000000", CLIENT);
        answerLast(null);
        assertThat(joined.join()).isEmpty();
        assertThat(first.join()).isEmpty();
        assertThat(asked).hasSize(1);
    }

    @Test
    void lookupsBeyondTheInFlightCapAre503UntilOneEnds() {
        var limited = cacheWith(new KeyLookupLimiter.Limits(100, 100, 2, 100));
        limited.find("Z00000000000", CLIENT);
        limited.find("Z00000000001", "198.51.100.7");
        var third = limited.find("Z00000000002", "203.0.113.9");
        assertThat(asked).hasSize(2);
        assertThat(third.handle((r, e) -> e).join()).isInstanceOfSatisfying(KeyLookupRefused.class,
                e -> assertThat(e.verdict().status()).isEqualTo(503));
        pending.getFirst().complete(Optional.empty());
        limited.find("Z00000000002", "203.0.113.9");
        assertThat(asked).hasSize(3);
    }
}
