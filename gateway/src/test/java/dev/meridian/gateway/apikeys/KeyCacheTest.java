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
    private final KeyCache cache = new KeyCache(Duration.ofSeconds(60), Duration.ofSeconds(5), 1000, ticker,
            this::lookup);

    private CompletionStage<Optional<KeyRecord>> lookup(String prefix) {
        asked.add(prefix);
        var answer = new CompletableFuture<Optional<KeyRecord>>();
        pending.add(answer);
        return answer;
    }

    private static KeyRecord record(String prefix, UUID tenant) {
        return new KeyRecord(UUID.randomUUID(), tenant, prefix, "hash", List.of("models"), null, null, "active",
                "eu-central", "http://eu", true, "free", new KeyRecord.RateLimit(5, 10));
    }

    private void answerLast(KeyRecord record) {
        pending.getLast().complete(Optional.ofNullable(record));
    }

    @Test
    void aFoundKeyIsServedFromMemoryAfterwards() {
        var first = cache.find("AAAAAAAAAAAA");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(first.join()).isPresent();
        assertThat(cache.find("AAAAAAAAAAAA").join()).isPresent();
        assertThat(asked).containsExactly("AAAAAAAAAAAA");
    }

    @Test
    void concurrentMissesForOnePrefixShareOneLookup() {
        var first = cache.find("AAAAAAAAAAAA");
        var second = cache.find("AAAAAAAAAAAA");
        assertThat(asked).hasSize(1);
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(first.join()).isPresent();
        assertThat(second.join()).isEqualTo(first.join());
    }

    @Test
    void aFailedLookupIsNotCached() {
        var first = cache.find("AAAAAAAAAAAA");
        pending.getLast().completeExceptionally(new TenancyKeys.Unavailable("down", null));
        assertThat(first).isCompletedExceptionally();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        cache.find("AAAAAAAAAAAA");
        assertThat(asked).hasSize(2);
    }

    @Test
    void unknownPrefixesAreRememberedForTheNegativeTtlOnly() {
        cache.find("AAAAAAAAAAAA");
        answerLast(null);
        assertThat(cache.find("AAAAAAAAAAAA").join()).isEmpty();
        assertThat(asked).hasSize(1);
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        cache.find("AAAAAAAAAAAA");
        assertThat(asked).hasSize(2);
    }

    @Test
    void foundKeysExpireAfterThePositiveTtl() {
        cache.find("AAAAAAAAAAAA");
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
        var waiting = cache.find("AAAAAAAAAAAA");
        cache.invalidate("AAAAAAAAAAAA"); // e.g. api_key.revoked arrives while tenancy is still answering
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(waiting.join()).isPresent();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        cache.find("AAAAAAAAAAAA");
        assertThat(asked).hasSize(2);
    }

    @Test
    void aLookupOvertakenByATenantInvalidationIsNotCached() {
        var waiting = cache.find("AAAAAAAAAAAA");
        cache.invalidateTenant(TENANT); // e.g. tenant.suspended
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(waiting.join()).isPresent();
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
    }

    @Test
    void anInvalidationOfAnotherPrefixDoesNotStopCaching() {
        cache.find("AAAAAAAAAAAA");
        cache.invalidate("BBBBBBBBBBBB");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
    }

    @Test
    void aLookupStartedAfterTheInvalidationIsCached() {
        cache.find("AAAAAAAAAAAA");
        cache.invalidate("AAAAAAAAAAAA");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        cache.find("AAAAAAAAAAAA");
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isTrue();
    }

    @Test
    void invalidatingEverythingAlsoOutrunsLookupsUnderWay() {
        cache.put("BBBBBBBBBBBB", record("BBBBBBBBBBBB", OTHER_TENANT));
        cache.find("AAAAAAAAAAAA");
        cache.invalidateAll();
        answerLast(record("AAAAAAAAAAAA", TENANT));
        assertThat(cache.isCached("AAAAAAAAAAAA")).isFalse();
        assertThat(cache.isCached("BBBBBBBBBBBB")).isFalse();
    }
}
