package dev.meridian.billing;

import static dev.meridian.billing.Api.asGateway;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.meridian.billing.ratelimits.service.RateBuckets;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One rate-limit bucket per key for all gateways: {@code POST /internal/v1/rate-leases} against the real billing. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class RateLeaseIT {

    private static final int RATE = 20;
    private static final int BURST = 10;

    @Inject
    RateBuckets buckets;
    @Inject
    Clock clock;

    private static JsonPath take(UUID tenant, UUID key, String gateway, int want) {
        return take(tenant, key, gateway, want, RATE);
    }

    private static JsonPath take(UUID tenant, UUID key, String gateway, int want, int rate) {
        return asGateway().body(new RateLeaseRequest(tenant, key, gateway, want, rate, BURST))
                .post(RateLeaseRequest.PATH).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void concurrentGatewaysTogetherNeverGetMoreThanTheBucketAllows() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        int gateways = 8;
        Duration run = Duration.ofMillis(1500);
        AtomicLong granted = new AtomicLong();
        AtomicLong zeros = new AtomicLong();
        AtomicLong asked = new AtomicLong();
        for (int i = 0; i < 20; i++) { // warm up (token check, JIT), so the figure printed below is billing's pace
            take(UUID.randomUUID(), UUID.randomUUID(), "gateway-warm-up", 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(gateways);
        List<Future<?>> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (int g = 0; g < gateways; g++) {
            String gateway = "gateway-" + g;
            clients.add(pool.submit(() -> {
                while (System.nanoTime() - start < run.toNanos()) {
                    JsonPath lease = take(tenant, key, gateway, 3);
                    asked.incrementAndGet();
                    int n = lease.getInt("granted");
                    assertThat(n).isBetween(0, 3);
                    assertThat(lease.getLong("expires_in_ms")).isPositive();
                    granted.addAndGet(n);
                    if (n == 0) {
                        zeros.incrementAndGet();
                        assertThat(lease.getLong("next_token_in_ms")).isBetween(1L, 1000L / RATE + 1);
                    }
                }
                return null;
            }));
        }
        for (Future<?> c : clients) {
            c.get();
        }
        pool.shutdown();
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[rate-leases] %d requests of %d concurrent gateways in %.2f s: %.0f/s, %.2f ms each%n",
                asked.get(), gateways, elapsedSeconds, asked.get() / elapsedSeconds,
                1000 * elapsedSeconds * gateways / asked.get());

        // what a GCRA bucket holds over the run: the burst plus the refill, whatever the number of askers
        assertThat(granted.get()).as("granted to %d concurrent gateways in %.2f s", gateways, elapsedSeconds)
                .isGreaterThanOrEqualTo(BURST)
                .isLessThanOrEqualTo(BURST + (long) Math.ceil(RATE * elapsedSeconds));
        assertThat(zeros.get()).as("the bucket ran dry").isPositive();
    }

    @Test
    void anEmptyBucketGrantsNothingAndSaysWhenTheNextTokenIsDue() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        // one token a second, so the second request cannot find one refilled however slow the machine is
        int rate = 1;
        assertThat(take(tenant, key, "gateway-a", BURST, rate).getInt("granted")).isEqualTo(BURST);
        JsonPath empty = take(tenant, key, "gateway-b", 1, rate);
        assertThat(empty.getInt("granted")).isZero();
        assertThat(empty.getLong("next_token_in_ms")).isBetween(1L, 1000L / rate + 1);
        assertThat(empty.getLong("full_in_ms")).isBetween(1L, 1000L * BURST / rate + 1);

        // another tenant's key with the same id has its own bucket
        assertThat(take(UUID.randomUUID(), key, "gateway-b", BURST).getInt("granted")).isEqualTo(BURST);
    }

    @Test
    void aKeyWhosePlanWasRaisedWaitsAtTheNewRateNotTheOldOnesDebt() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        // 2 per second with a burst of 20: the emptied bucket is full again in 10 s
        var slow = asGateway().body(new RateLeaseRequest(tenant, key, "gateway-a", 20, 2, 20))
                .post(RateLeaseRequest.PATH).then().statusCode(200).extract().jsonPath();
        assertThat(slow.getInt("granted")).isEqualTo(20);
        // raised to 1000 per second with a burst of 100: empty means full again in 100 ms, a token every 1 ms
        var raised = asGateway().body(new RateLeaseRequest(tenant, key, "gateway-a", 1, 1000, 100))
                .post(RateLeaseRequest.PATH).then().statusCode(200).extract().jsonPath();
        assertThat(raised.getLong("next_token_in_ms")).as("next token at the new rate").isLessThanOrEqualTo(2L);
        assertThat(raised.getLong("full_in_ms")).as("full again at the new rate").isLessThanOrEqualTo(101L);
    }

    @Test
    void aWantAboveTheBurstIsRefusedWithWhatToSendAndTakesNothing() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        asGateway().body(new RateLeaseRequest(tenant, key, "gateway-a", BURST + 1, RATE, BURST))
                .post(RateLeaseRequest.PATH).then().statusCode(400)
                .body(containsString("want"), containsString("1 to burst (" + BURST + ")"));
        asGateway().body(new RateLeaseRequest(tenant, key, "gateway-a", 1, 0, BURST))
                .post(RateLeaseRequest.PATH).then().statusCode(400).body(containsString("requests_per_second"));
        assertThat(take(tenant, key, "gateway-a", BURST).getInt("granted")).isEqualTo(BURST);
    }

    @Test
    void onlyGatewaysMayTakeTokens() {
        given().contentType(ContentType.JSON)
                .body(new RateLeaseRequest(UUID.randomUUID(), UUID.randomUUID(), "gateway-a", 1, RATE, BURST))
                .post(RateLeaseRequest.PATH).then().statusCode(401);
    }

    @Test
    void idleBucketsArePurgedOnceFullAgain() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        assertThat(take(tenant, key, "gateway-a", BURST).getInt("granted")).isEqualTo(BURST);

        // not yet full again: kept
        buckets.purgeFullBefore(clock.instant());
        assertThat(rows(key)).isEqualTo(1);

        // full long ago as seen from a later "now": deleted, and a new row starts full as the old one would have been
        assertThat(buckets.purgeFullBefore(clock.instant().plus(Duration.ofMinutes(5)))).isPositive();
        assertThat(rows(key)).isZero();
        assertThat(take(tenant, key, "gateway-a", BURST).getInt("granted")).isEqualTo(BURST);
    }

    private static int rows(UUID key) throws Exception {
        try (Connection db = Api.superuser();
                PreparedStatement q = db.prepareStatement("select count(*) from billing.rate_buckets where key_id = ?")) {
            q.setObject(1, key);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
