package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Billing while tenancy is down ({@link StandInTenancy#down}): reads that need tenancy's word answer a 503 that says
 * so, billing stops asking a tenancy that keeps failing (the circuit breaker of {@code TenancyCalls}), and the same
 * reads work again once it is back. Tenancy's refusals are answers, not failures.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInTenancy.class, restrictToAnnotatedClass = false)
class TenancyOutageIT {

    @Inject
    CircuitBreakerMaintenance circuitBreakers;

    /** Circuits closed and their windows empty, whatever the tests before asked tenancy. */
    @BeforeEach
    @AfterEach
    void tenancyIsUpAndTheCircuitsClosed() {
        StandInTenancy.down(false);
        circuitBreakers.resetAll();
    }

    @Test
    void whileTenancyIsDownReadsAnswer503WithoutAskingItOverAndOverAndWorkAgainOnceItIsBack() {
        UUID tenant = UUID.randomUUID();
        String member = TestStack.get().newUser().accessToken();
        StandInTenancy.member(StandInTenancy.subjectOf(member), tenant.toString(), "billing");
        usage(member, tenant).then().statusCode(200);

        StandInTenancy.down(true);
        int before = StandInTenancy.REQUESTS.get();
        int reads = 8;
        for (int i = 0; i < reads; i++) {
            usage(member, tenant).then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "1")
                    .body("detail", allOf(containsString("check your membership: tenancy is unavailable"),
                            containsString("Retry in a few seconds"), not(containsString("Exception"))));
        }
        // without the circuit breaker each read would ask twice (one retry), 16 requests; it opens once half of the
        // last 4 attempts failed, and the reads after that are answered without asking (a trial every 5 s aside)
        assertThat(StandInTenancy.REQUESTS.get() - before).as("requests tenancy got for %d reads", reads)
                .isLessThan(reads);
        // billing's own questions with its service token (the partner directory) say the same
        asOperator().body(Map.of("period", "2025-01"))
                .post("/api/v1/billing/admin/partners/{p}/statements/close", UUID.randomUUID()).then().statusCode(503)
                .body("detail", containsString("read the partner's terms: tenancy is unavailable"));

        StandInTenancy.down(false);
        await("billing to ask tenancy again once it is back").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> usage(member, tenant).then().statusCode(200));
        asOperator().body(Map.of("period", "2025-01"))
                .post("/api/v1/billing/admin/partners/{p}/statements/close", UUID.randomUUID()).then().statusCode(404)
                .body("detail", containsString("No partner"));
    }

    @Test
    void refusalsAreAnswersSoTheyAreNeitherRetriedNorOpenTheCircuit() {
        UUID tenant = UUID.randomUUID();
        String member = TestStack.get().newUser().accessToken();
        String stranger = TestStack.get().newUser().accessToken();
        StandInTenancy.member(StandInTenancy.subjectOf(member), tenant.toString(), "admin");

        int before = StandInTenancy.REQUESTS.get();
        for (int i = 0; i < 6; i++) {
            usage(stranger, tenant).then().statusCode(404);
        }
        assertThat(StandInTenancy.REQUESTS.get() - before).as("one request per refused read").isEqualTo(6);
        usage(member, tenant).then().statusCode(200);
    }

    private static Response usage(String token, UUID tenant) {
        return given().auth().oauth2(token).queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/usage");
    }
}
