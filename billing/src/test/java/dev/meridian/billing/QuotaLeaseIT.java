package dev.meridian.billing;

import static dev.meridian.billing.Api.asGateway;
import static dev.meridian.billing.Api.asKeyOf;
import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Hard budgets and free-tier quotas held by quota leases against the real billing service. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class QuotaLeaseIT {

    private static final int CLIENTS = 64;
    private static final long BUDGET_MINOR = 5_000; // 50.00 EUR
    private static final long REQUEST_NANOS = 1_000_000_000L; // 1 cent per request
    private static final long TOKEN_NANOS = 10_000_000L; // 0.01 cent per input token
    private static final int MAX_TOKENS = 100;
    private static final long MAX_CALL_NANOS = REQUEST_NANOS + MAX_TOKENS * TOKEN_NANOS;

    @Test
    void aHardBudgetHitBy64ConcurrentCallersOnTwoGatewaysOvershootsByNoMoreThanTheBound() throws Exception {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central", "custom_prices_nanos",
                        Map.of("requests", REQUEST_NANOS, "input_tokens", TOKEN_NANOS)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        asOperator().queryParam("tenant_id", tenant.toString()).body(Map.of("hard_budget_minor", BUDGET_MINOR))
                .put("/api/v1/billing/budgets").then().statusCode(200);

        AtomicLong leases = new AtomicLong();
        AtomicLong largestSlice = new AtomicLong();
        AtomicLong spentNanos = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String gateway = c % 2 == 0 ? "gateway-a" : "gateway-b";
            clients.add(pool.submit(() -> {
                while (true) {
                    JsonPath lease = asGateway().body(new LeaseRequest(tenant, null, gateway, "eu-central"))
                            .post(LeaseRequest.PATH).then().statusCode(200).extract().jsonPath();
                    if (lease.getString("state").equals("blocked")) {
                        assertThat(lease.getString("reason")).isEqualTo("hard_budget_reached");
                        return null;
                    }
                    leases.incrementAndGet();
                    long left = lease.getLong("budget_nanos");
                    largestSlice.accumulateAndGet(left, Math::max);
                    long requestPrice = lease.getLong("prices_nanos.requests");
                    long tokenPrice = lease.getLong("prices_nanos.input_tokens");
                    long spent = 0;
                    List<UsageEvent> usage = new ArrayList<>();
                    // like a gateway: admit a call while the slice has money left, learn its cost after it ran
                    while (spent < left) {
                        int n = ThreadLocalRandom.current().nextInt(1, MAX_TOKENS + 1);
                        spent += requestPrice + n * tokenPrice;
                        usage.add(Api.event(tenant, Meter.REQUESTS, 1, Instant.now()));
                        usage.add(Api.event(tenant, Meter.INPUT_TOKENS, n, Instant.now()));
                        tokens.addAndGet(n);
                        calls.incrementAndGet();
                    }
                    publish(usage);
                    spentNanos.addAndGet(spent);
                    asGateway().body(new LeaseSettlement(spent, Map.of("requests", (long) usage.size() / 2)))
                            .post(LeaseSettlement.path(UUID.fromString(lease.getString("lease_id"))))
                            .then().statusCode(204);
                }
            }));
        }
        for (Future<?> f : clients) {
            f.get();
        }
        pool.shutdown();

        assertThat(awaitQuantity(tenant, Meter.REQUESTS, calls.get())).isEqualTo(calls.get());
        assertThat(awaitQuantity(tenant, Meter.INPUT_TOKENS, tokens.get())).isEqualTo(tokens.get());
        long billedMinor = asKeyOf(tenant, "billing:read").get("/api/v1/billing/budgets").then().statusCode(200)
                .extract().jsonPath().getLong("tenant.spent_minor");
        long boundMinor = CLIENTS * MAX_CALL_NANOS / 1_000_000_000L;
        System.out.printf("[leases] %d leases, %d calls, billed %d of a %d budget (bound +%d) in minor units%n",
                leases.get(), calls.get(), billedMinor, BUDGET_MINOR, boundMinor);
        assertThat(billedMinor).isEqualTo((spentNanos.get() + 500_000_000L) / 1_000_000_000L);
        assertThat(billedMinor).isBetween(BUDGET_MINOR, BUDGET_MINOR + boundMinor);
        // slices, never the whole budget at once: at most the cap of 10.00 EUR or 10 % of the 50.00
        assertThat(largestSlice.get()).isEqualTo(BUDGET_MINOR * 1_000_000_000L / 10);
    }

    @Test
    void aKeyWithItsOwnHardBudgetIsBlockedWhileTheTenantsOtherKeysGoOn() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID capped = UUID.randomUUID();
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central", "custom_prices_nanos",
                        Map.of("requests", REQUEST_NANOS)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        asOperator().queryParam("tenant_id", tenant.toString()).body(Map.of("hard_budget_minor", 10))
                .put("/api/v1/billing/budgets/keys/{k}", capped).then().statusCode(200)
                .body("keys[0].key_id", equalTo(capped.toString())).body("keys[0].hard_budget_minor", equalTo(10));

        JsonPath first = asGateway().body(new LeaseRequest(tenant, capped, "gateway-a", "eu-central"))
                .post(LeaseRequest.PATH).then().statusCode(200).body("state", equalTo("granted")).extract().jsonPath();
        assertThat(first.getLong("budget_nanos")).isBetween(1L, 10 * 1_000_000_000L);
        asGateway().body(new LeaseSettlement(0, Map.of())).post(LeaseSettlement.path(
                UUID.fromString(first.getString("lease_id")))).then().statusCode(204);

        List<UsageEvent> spent = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // 10 cents: the key's whole budget
            spent.add(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 1, null, capped,
                    Instant.now(), "test"));
        }
        publish(spent);
        awaitQuantity(tenant, Meter.REQUESTS, 10);

        asGateway().body(new LeaseRequest(tenant, capped, "gateway-a", "eu-central")).post(LeaseRequest.PATH)
                .then().statusCode(200).body("state", equalTo("blocked")).body("reason", equalTo("key_budget_reached"))
                .body("message", containsString("0.10 EUR"));
        asGateway().body(new LeaseRequest(tenant, UUID.randomUUID(), "gateway-a", "eu-central")).post(LeaseRequest.PATH)
                .then().statusCode(200).body("state", equalTo("granted"));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/budgets").then().statusCode(200)
                .body("keys[0].spent_minor", equalTo(10));
    }

    @Test
    void theFreeTierBlocksWhenItsRequestsAreLeasedOut() {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "free", "region", "us-east"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        long granted = 0;
        for (int i = 0; i < 1000; i++) {
            JsonPath lease = asGateway().body(new LeaseRequest(tenant, null, "gateway-a", "us-east"))
                    .post(LeaseRequest.PATH).then().statusCode(200).extract().jsonPath();
            if (lease.getString("state").equals("blocked")) {
                assertThat(lease.getString("reason")).isEqualTo("free_tier_exhausted");
                assertThat(lease.getString("message")).contains("pay-as-you-go");
                break;
            }
            assertThat(lease.getString("currency")).isEqualTo("USD");
            assertThat(lease.getString("budget_nanos")).isNull();
            granted += lease.getLong("quantities.requests");
        }
        assertThat(granted).isEqualTo(1000); // the plan's 1000 requests, never more
    }

    @Test
    void settlingTwiceIsHarmlessAndOnlyServicesMayLease() {
        UUID tenant = UUID.randomUUID();
        String leaseId = asGateway().body(new LeaseRequest(tenant, null, "gateway-a", "eu-central"))
                .post(LeaseRequest.PATH).then().statusCode(200).body("state", equalTo("granted"))
                .extract().path("lease_id");
        asGateway().body(new LeaseSettlement(0, Map.of())).post(LeaseSettlement.path(UUID.fromString(leaseId)))
                .then().statusCode(204);
        asGateway().body(new LeaseSettlement(0, Map.of())).post(LeaseSettlement.path(UUID.fromString(leaseId)))
                .then().statusCode(204);
        asGateway().body(new LeaseSettlement(0, Map.of())).post(LeaseSettlement.path(UUID.randomUUID()))
                .then().statusCode(404);
        asGateway().body(Map.of("tenant_id", tenant.toString(), "region", "eu-central")).post(LeaseRequest.PATH)
                .then().statusCode(400).body("detail", containsString("gateway_id"));
        asOperator().body(new LeaseRequest(tenant, null, "x", "eu-central")).post(LeaseRequest.PATH)
                .then().statusCode(403).body("detail", containsString("service-gateway"));
    }
}
