package dev.meridian.gateway.apikeys;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Made-up key prefixes cannot turn into one tenancy lookup each: a client address gets a small budget of lookups for
 * prefixes tenancy does not know, then 429 without a lookup. Tenancy is a stand-in here that counts the lookups.
 */
@QuarkusTest
@TestProfile(UnknownKeyFloodIT.WithCountingTenancy.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class UnknownKeyFloodIT {

    static final int PER_SECOND = 10;
    static final int BURST = 10;

    /** A gateway whose tenancy is {@link StandInTenancy}; unknown prefixes are remembered long, per the test. */
    public static class WithCountingTenancy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "meridian.gateway.gateway-id", "eu-central-key-flood",
                    // longer than the test waits, so only the api_key.created event can make the new key work
                    "meridian.gateway.key-cache.negative-ttl", "60s",
                    "meridian.gateway.key-cache.lookups.per-client-per-second", String.valueOf(PER_SECOND),
                    "meridian.gateway.key-cache.lookups.per-client-burst", String.valueOf(BURST));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInTenancy.class));
        }
    }

    @Inject
    KeyDirectory keys;
    @Inject
    ObjectMapper json;

    private static Response call(String key) {
        return given().header("Authorization", "Bearer " + key).get("/v1/models");
    }

    @Test
    void aThousandRandomPrefixesCostABoundedNumberOfTenancyLookups() throws Exception {
        int before = StandInTenancy.lookups();
        long start = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                calls.add(callers.submit(() -> call(ApiKeySecret.generate().key()).statusCode()));
            }
            for (var c : calls) {
                statuses.add(c.get());
            }
        } finally {
            callers.shutdown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int lookups = StandInTenancy.lookups() - before;

        Map<Integer, Long> byStatus = statuses.stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        assertThat(lookups).as("tenancy lookups for 1000 random prefixes in %.1f s (answers %s)", seconds, byStatus)
                .isLessThanOrEqualTo(BURST + (int) Math.ceil(seconds * PER_SECOND) + 1)
                .isLessThan(1000);
        // 401: tenancy said no such key; 429: refused before any lookup (503 only if a lookup timed out)
        assertThat(byStatus.keySet()).as("answers %s", byStatus).isSubsetOf(401, 429, 503);
        assertThat(byStatus.getOrDefault(401, 0L)).as("answers %s", byStatus).isLessThanOrEqualTo(lookups);
    }

    /** Needs GatewayRoutes to answer a {@link KeyLookupRefused} with its verdict (else it is a 503). */
    @Test
    void aClientOverItsBudgetGets429WithRetryAfterAndWhatToFix() {
        Response refused = null;
        for (int i = 0; i < 10 * BURST && refused == null; i++) {
            Response r = call(ApiKeySecret.generate().key());
            if (r.statusCode() != 401) {
                refused = r;
            }
        }
        assertThat(refused).as("a call refused once the budget is spent").isNotNull();
        refused.then().statusCode(429);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("rate_limit_exceeded");
        assertThat(refused.jsonPath().getString("error.message")).contains("do not exist");
    }

    @Test
    void aKeyCreatedAfterItsPrefixWasCachedAsUnknownWorksWithinASecond() throws Exception {
        TestKeys.awaitListener();
        var generated = ApiKeySecret.generate();
        // 429 while the budget refills after another test's flood; then tenancy says no such key
        await("tenancy answered that no key has the prefix").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> call(generated.key()).statusCode() == 401);
        assertThat(TestKeys.isCached(keys, generated.prefix())).isTrue();
        int lookups = StandInTenancy.lookups();
        call(generated.key()).then().statusCode(401);
        assertThat(StandInTenancy.lookups()).as("the unknown prefix is answered from memory").isEqualTo(lookups);

        UUID tenant = UUID.randomUUID();
        UUID keyId = UUID.randomUUID();
        var record = new KeyRecord(keyId, tenant, generated.prefix(), generated.hash(), List.of("models"), null, null,
                "active", "eu-central", "http://localhost:8080", true, false, "free",
                new KeyRecord.RateLimit(100, 100));
        StandInTenancy.register(generated.prefix(), json.writeValueAsString(record));
        var created = new TenancyChange(UUID.randomUUID(), TenancyChange.API_KEY_CREATED, tenant, keyId,
                generated.prefix(), null, null, Instant.now());
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("tenancy", Map.of("acks", "all")),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(),
                    json.writeValueAsString(created))).get();
        }

        await("the new key works").atMost(Duration.ofSeconds(1)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> call(generated.key()).statusCode() == 200);
    }
}
