package dev.meridian.gateway.apikeys;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * API key authentication on {@code /v1} as a client sees it. Tenancy is not running here (its URL is a closed
 * port), so a key the gateway has to look up gets 503, and keys that must be found are seeded into the cache.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ApiKeyAuthIT {

    @Inject
    KeyDirectory keys;

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    @Test
    void missingKeyIs401MissingApiKey() {
        given().get("/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("missing_api_key"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("Authorization: Bearer"));
    }

    @Test
    void malformedKeyIsRefusedWithoutALookup() {
        // Had the gateway asked tenancy (unreachable here) the answer would be 503.
        given().header("Authorization", bearer("sk-not-a-meridian-key-at-all-1234567890")).get("/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.message", not(containsString("not-a-meridian-key")));
    }

    @Test
    void unknownKeyWhileTenancyIsUnreachableIs503AskingToRetry() {
        given().header("Authorization", bearer("mk_ZZZZZZZZZZZZ_" + "a".repeat(43))).get("/v1/models").then()
                .statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error.code", equalTo("service_unavailable"))
                .body("error.message", containsString("Retry"))
                .body("error.message", not(containsString("127.0.0.1")));
    }

    @Test
    void knownKeyWithTheRightSecretIsServed() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        given().header("Authorization", bearer(key.key())).get("/v1/models").then()
                .statusCode(200)
                .header("X-Meridian-Served-By", equalTo("eu-central"))
                .body("object", equalTo("list"));
    }

    @Test
    void knownPrefixWithAWrongSecretIs401AndNeverEchoesTheKey() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        String forged = "mk_" + key.prefix() + "_" + "b".repeat(43);
        given().header("Authorization", bearer(forged)).get("/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.message", containsString("mk_" + key.prefix() + "_...bbbb"))
                .body("error.message", not(containsString("b".repeat(10))));
    }

    @Test
    void revokedKeyIsRejected() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().revokedAt(Instant.now().minusSeconds(5)));
        given().header("Authorization", bearer(key.key())).get("/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("api_key_revoked"));
    }

    @Test
    void expiredKeyIsRejected() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().expiresAt(Instant.now().minusSeconds(5)));
        given().header("Authorization", bearer(key.key())).get("/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("api_key_expired"));
    }

    @Test
    void keyOfASuspendedTenantIsForbidden() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().withTenantStatus("suspended"));
        given().header("Authorization", bearer(key.key())).get("/v1/models").then()
                .statusCode(403)
                .body("error.code", equalTo("tenant_suspended"));
    }

    @Test
    void keyWithoutTheRouteScopeIsForbiddenAndToldWhichScope() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("billing:read"));
        given().header("Authorization", bearer(key.key())).get("/v1/models").then()
                .statusCode(403)
                .body("error.code", equalTo("insufficient_scope"))
                .body("error.message", containsString("models"));
    }

    @Test
    void keyOverItsRateLimitGets429WithRetryAfterAndLimitHeaders() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().limitedTo(1, 2));
        // Three calls at once against a bucket of two refilled once a second: sent one after another, a slow machine
        // would refill it between them. Released together, two are served and the third is refused.
        var start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(3)) {
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return given().header("Authorization", bearer(key.key())).get("/v1/models");
                }));
            }
            start.countDown();
        }
        List<Response> answers = new ArrayList<>();
        for (var call : calls) {
            answers.add(call.get());
        }
        List<Response> served = answers.stream().filter(r -> r.statusCode() == 200).toList();
        List<Response> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(served).as("served of the three").hasSize(2);
        assertThat(refused).as("refused of the three").hasSize(1);
        assertThat(served).allSatisfy(r -> assertThat(r.header("x-ratelimit-limit-requests")).isEqualTo("1"));
        // what is left is told as of each call's own arrival time, so two calls racing may both read 0; never more
        // than the one the bucket can still hold after a call
        assertThat(served).allSatisfy(r -> assertThat(r.header("x-ratelimit-remaining-requests")).isIn("0", "1"));
        refused.getFirst().then()
                .header("Retry-After", equalTo("1"))
                .header("x-ratelimit-remaining-requests", equalTo("0"))
                .header("x-ratelimit-reset-requests", notNullValue())
                .body("error.code", equalTo("rate_limit_exceeded"));
    }

    @Test
    void clientRequestIdIsEchoed() {
        given().header("X-Request-Id", "my-request-17").get("/v1/models").then()
                .statusCode(401)
                .header("X-Request-Id", equalTo("my-request-17"));
    }

    @Test
    void requestIdIsGeneratedWhenAbsent() {
        given().get("/v1/models").then()
                .header("X-Request-Id", org.hamcrest.Matchers.matchesPattern("[0-9a-f-]{36}"));
    }
}
