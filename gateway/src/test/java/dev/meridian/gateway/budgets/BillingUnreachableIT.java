package dev.meridian.gateway.budgets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.gateway.metering.StandInInference;
import dev.meridian.gateway.metering.UsagePublisher;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Budgets are enforced but billing does not answer: billable calls fail closed with a 503 the caller may retry. */
@QuarkusTest
@TestProfile(BillingUnreachableIT.BillingDown.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BillingUnreachableIT {

    public static class BillingDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.gateway.billing-url", "http://127.0.0.1:9",
                    "meridian.gateway.budgets.billing-timeout", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInInference.class));
        }
    }

    @Inject
    KeyDirectory keys;
    @Inject
    UsagePublisher publisher;

    @Test
    void aBillableCallWithoutALeaseIs503BillingUnavailableAndIsNotMetered() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        long metered = publisher.accepted();
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "hello"))
                .post("/v1/embeddings").then()
                .statusCode(503)
                .header("Retry-After", "1")
                .body("error.code", equalTo("billing_unavailable"));
        assertThat(publisher.accepted()).isEqualTo(metered);
    }

    @Test
    void theBillingApiSaysItDidNotAnswer() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("billing:read"));
        given().header("Authorization", "Bearer " + key.key()).get("/api/v1/billing/budgets").then()
                .statusCode(503)
                .contentType("application/problem+json");
    }
}
