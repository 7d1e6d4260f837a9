package dev.meridian.gateway.budgets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.gateway.metering.UsagePublisher;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hard budgets at the gateway over HTTP, against a stand-in of billing's lease contract (the two-gateway test
 * against the real billing service is {@code BudgetOvershootIT}).
 */
@QuarkusTest
@TestProfile(WithBilling.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BudgetIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KeyDirectory keys;
    @Inject
    UsagePublisher publisher;

    private static int embed(String key, String text) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", text))
                .post("/v1/embeddings").then().extract().statusCode();
    }

    private static JsonNode body(StandInBilling.Call call) throws Exception {
        return JSON.readTree(call.body());
    }

    @Test
    void aTenantWhoseBudgetIsUsedUpGets402SayingWhichLimitAndHowToLiftIt() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        StandInBilling.block(key.record().tenantId(), "hard_budget_reached",
                "Your hard budget of EUR 5.00 for November 2026 is used up.");
        long metered = publisher.accepted();
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "hello"))
                .post("/v1/embeddings").then()
                .statusCode(402)
                .body("error.type", equalTo("insufficient_quota"))
                .body("error.code", equalTo("hard_budget_reached"))
                .body("error.message", containsString("EUR 5.00"))
                .body("error.message", containsString("raise the budget or top up prepaid credits in the Meridian"
                        + " console"));
        assertThat(publisher.accepted()).as("a refused call is not metered").isEqualTo(metered);
    }

    @Test
    void theLeaseRequestNamesTenantGatewayAndRegionAndCarriesTheServiceToken() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        UUID tenant = key.record().tenantId();
        StandInBilling.grant(tenant, 1_000_000L);
        assertThat(embed(key.key(), "hello")).isEqualTo(200);
        var requests = StandInBilling.calls("/internal/v1/leases").stream()
                .filter(c -> c.body().contains(tenant.toString())).toList();
        assertThat(requests).hasSize(1);
        JsonNode request = body(requests.getFirst());
        assertThat(request.path("gateway_id").asText()).isEqualTo("eu-central-budgets");
        assertThat(request.path("region").asText()).isEqualTo("eu-central");
        assertThat(request.path("key_id").asText()).as("a lease per key, so key budgets apply")
                .isEqualTo(key.record().keyId().toString());
        assertThat(requests.getFirst().headers().get("Authorization")).matches("Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+");
    }

    @Test
    void spendingThroughSmallSlicesTakesNewLeasesAndSettlesTheSpentOnes() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        UUID tenant = key.record().tenantId();
        // Each call costs 1000 (request) + 3 tokens × 10 = 1030 nanos: three calls fit in a slice of 3500.
        StandInBilling.grant(tenant, 3500L);
        int before = StandInBilling.CALLS.size();
        for (int i = 0; i < 7; i++) {
            assertThat(embed(key.key(), "x")).isEqualTo(200);
        }
        var calls = List.copyOf(StandInBilling.CALLS.subList(before, StandInBilling.CALLS.size()));
        var leases = calls.stream()
                .filter(c -> c.path().equals("/internal/v1/leases") && c.body().contains(tenant.toString())).toList();
        assertThat(leases).as("7 calls of 1030 need at least three slices of 3500").hasSizeGreaterThanOrEqualTo(3);
        var settled = calls.stream().filter(c -> c.path().endsWith("/settle")).map(c -> {
            try {
                return body(c);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(settled).as("the spent slices").hasSizeGreaterThanOrEqualTo(2);
        // A slice pays for at most three requests; what the last of them used after its answer may go to the
        // slice that follows (when the next lease was already in), never lost and never counted twice.
        assertThat(settled).allSatisfy(b -> {
            assertThat(b.path("spent_quantities").path("requests").asLong()).isBetween(1L, 3L);
            assertThat(b.path("spent_nanos").asLong()).isLessThanOrEqualTo(3500L + 30L);
        });
        long requests = settled.stream().mapToLong(b -> b.path("spent_quantities").path("requests").asLong()).sum();
        long tokens = settled.stream().mapToLong(b -> b.path("spent_quantities").path("input_tokens").asLong()).sum();
        assertThat(requests).as("requests in settled slices").isBetween(4L, 7L);
        assertThat(tokens).as("tokens in settled slices").isBetween(3 * (requests - 1), 3 * requests + 3);
    }

    @Test
    void aTenantThatRunsOutMidwayIsRefusedOnceBillingBlocksIt() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        UUID tenant = key.record().tenantId();
        StandInBilling.grant(tenant, 2100L); // two calls
        assertThat(embed(key.key(), "x")).isEqualTo(200);
        StandInBilling.block(tenant, "free_tier_exhausted", "The free tier's 1000 requests this month are used.");
        // The second call spends the lease nearly to the end, so the gateway asks for the next one early; billing's
        // refusal is not taken over while the current lease still pays for this call.
        assertThat(embed(key.key(), "x")).isEqualTo(200);
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "x"))
                .post("/v1/embeddings").then()
                .statusCode(402)
                .body("error.code", equalTo("free_tier_exhausted"));
    }

    @AfterEach
    void billingIsBack() {
        StandInBilling.down = false;
    }

    @Test
    void aTenantWithoutAHardBudgetIsServedWhileBillingIsDown() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        UUID tenant = key.record().tenantId();
        StandInBilling.unlimited(tenant, 1); // leases that expire within a second, so the outage meets a renewal
        assertThat(embed(key.key(), "x")).isEqualTo(200);
        StandInBilling.down = true;
        int refusedBefore = StandInBilling.REFUSED.get();
        long metered = publisher.accepted();
        int[] served = {0};
        await("the gateway asked the billing that is down for the next lease")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertThat(embed(key.key(), "x")).as("every call during the outage").isEqualTo(200);
                    served[0]++;
                    return StandInBilling.REFUSED.get() > refusedBefore;
                });
        for (int i = 0; i < 10; i++) {
            assertThat(embed(key.key(), "x")).as("calls after the refused renewal").isEqualTo(200);
        }
        await("every call served during the outage is metered").atMost(Duration.ofSeconds(10))
                .until(() -> publisher.accepted() - metered >= served[0] + 10L);
    }

    @Test
    void aTenantWithAHardBudgetSpendsItsSliceAndOneOutageAllowanceThenGets503SayingWhy() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        UUID tenant = key.record().tenantId();
        // a call costs 1030 nanos (request + 3 tokens): a slice of 5150 pays for five
        StandInBilling.grant(tenant, 5150L);
        assertThat(embed(key.key(), "x")).isEqualTo(200);
        StandInBilling.down = true;
        int served = 1;
        int status;
        while ((status = embed(key.key(), "x")) == 200) {
            served++;
            assertThat(served).as("the slice and one allowance of the same size, no more").isLessThanOrEqualTo(10);
        }
        assertThat(served).as("the slice (5) and the allowance (5)").isGreaterThanOrEqualTo(9);
        assertThat(status).isEqualTo(503);
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "x"))
                .post("/v1/embeddings").then()
                .statusCode(503)
                .header("Retry-After", "1")
                .body("error.code", equalTo("billing_unavailable"))
                .body("error.message", containsString("outage allowance"));
        StandInBilling.down = false;
        await("calls resume once billing answers").atMost(Duration.ofSeconds(10))
                .until(() -> embed(key.key(), "x") == 200);
    }

    @Test
    void readsNeedNoLeaseSoTheyAreServedWhileBillingIsDown() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        StandInBilling.down = true;
        int before = StandInBilling.CALLS.size();
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(200)
                .body("data[0].id", equalTo("all-minilm-l6-v2"));
        assertThat(StandInBilling.CALLS.subList(before, StandInBilling.CALLS.size()))
                .as("no lease asked for a read").noneMatch(c -> c.path().startsWith("/internal/v1/leases"));
    }
}
