package dev.meridian.gateway.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.gateway.budgets.StandInBilling;
import dev.meridian.gateway.budgets.WithBilling;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A key's rate limit held at billing (here billing's stand-in, which hands out the tokens the test gives a key): the
 * gateway spends the slices billing grants and answers 429 once billing grants none. The bound across gateways against
 * the real billing is checked by infra/system-tests' {@code RateLimitIT}.
 */
@QuarkusTest
@TestProfile(WithBilling.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class SharedRateLimitIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KeyDirectory keys;

    private static Response listModels(String key) {
        return given().header("Authorization", "Bearer " + key).get("/v1/models");
    }

    @Test
    void callsAreAdmittedOnlyWithTokensBillingGrantedThen429WithBillingsRetryAfter() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().limitedTo(10, 20));
        UUID keyId = key.record().keyId();
        StandInBilling.rateTokens(keyId, 3);

        for (int i = 0; i < 3; i++) {
            listModels(key.key()).then().statusCode(200).header("x-ratelimit-limit-requests", "10");
        }
        listModels(key.key()).then().statusCode(429)
                .header("Retry-After", "5")
                .header("x-ratelimit-remaining-requests", "0")
                .body("error.code", equalTo("rate_limit_exceeded"));

        var asked = StandInBilling.calls(RateLeaseRequest.PATH).stream()
                .filter(c -> c.body().contains(keyId.toString())).toList();
        assertThat(asked).isNotEmpty();
        assertThat(asked.getFirst().headers().get("Authorization")).startsWith("Bearer ");
        JsonNode first = JSON.readTree(asked.getFirst().body());
        assertThat(first.path("tenant_id").asText()).isEqualTo(key.record().tenantId().toString());
        assertThat(first.path("gateway_id").asText()).isEqualTo("eu-central-budgets");
        assertThat(first.path("requests_per_second").asInt()).isEqualTo(10);
        assertThat(first.path("burst").asInt()).isEqualTo(20);
        assertThat(first.path("want").asInt()).as("100 ms of 10 requests/s").isEqualTo(1);
        // refused calls within the announced 5 s do not ask billing again
        int before = StandInBilling.calls(RateLeaseRequest.PATH).size();
        listModels(key.key()).then().statusCode(429);
        assertThat(StandInBilling.calls(RateLeaseRequest.PATH)).hasSize(before);
    }

    @Test
    void aKeyBillingGrantsFreelyIsServedAndToldWhatThisGatewayMayStillAdmit() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().limitedTo(100, 100));
        var answer = listModels(key.key());
        answer.then().statusCode(200);
        // a slice of 10 (100 ms of 100/s), one spent; the next slice may already be here
        assertThat(Integer.parseInt(answer.header("x-ratelimit-remaining-requests"))).isBetween(9, 19);
    }
}
