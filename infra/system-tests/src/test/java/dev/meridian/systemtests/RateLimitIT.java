package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-key rate limit of the tenant's plan (free: 5 requests/s, burst 10) answers 429 with Retry-After. */
class RateLimitIT {

    @Test
    void burstAboveThePlanLimitGets429WithRetryAfter() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Bursty", "eu-central");
        String key = user.createKeySecret(tenant, List.of("models"));

        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            responses.add(Gateways.listModels(SystemUnderTest.eu(), key));
        }
        long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
        Response limited = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow(
                () -> new AssertionError("30 rapid calls on the free plan were never rate limited"));

        // 10 of burst plus what refills (5/s) while the 30 calls run.
        assertThat(ok).isGreaterThanOrEqualTo(10).isLessThan(30);
        assertThat(limited.jsonPath().getString("error.code")).isEqualTo("rate_limit_exceeded");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 2);
        assertThat(limited.header("x-ratelimit-limit-requests")).isNotBlank();
    }

    @Test
    void keysAreLimitedSeparately() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("TwoKeys", "eu-central");
        String first = user.createKeySecret(tenant, List.of("models"));
        String second = user.createKeySecret(tenant, List.of("models"));

        for (int i = 0; i < 20; i++) {
            Gateways.listModels(SystemUnderTest.eu(), first);
        }
        Gateways.listModels(SystemUnderTest.eu(), first).then().statusCode(429);
        Gateways.listModels(SystemUnderTest.eu(), second).then().statusCode(200);
    }
}
