package dev.meridian.gateway.budgets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
}
