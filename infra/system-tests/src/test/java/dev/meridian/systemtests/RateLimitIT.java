package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-key rate limit of the tenant's plan (free: 5 requests/s, burst 10) answers 429 with Retry-After. Calls go out
 * as concurrent bursts: sent one after another on a slow machine, the bucket refills (5/s) as fast as they arrive.
 */
class RateLimitIT {

    @Test
    void burstAboveThePlanLimitGets429WithRetryAfter() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("Bursty", "eu-central");
        String key = user.createKeySecret(tenant, List.of("models"));

        List<HttpResponse<String>> responses = Gateways.burstOfListModels(SystemUnderTest.eu(), key, 30);
        long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
        HttpResponse<String> limited = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow(
                () -> new AssertionError("30 concurrent calls on the free plan were never rate limited"));

        // 10 of burst plus what refills (5/s) while the burst is served.
        assertThat(ok).isGreaterThanOrEqualTo(10).isLessThan(30);
        assertThat(JsonPath.from(limited.body()).getString("error.code")).isEqualTo("rate_limit_exceeded");
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 2);
        assertThat(limited.headers().firstValue("x-ratelimit-limit-requests")).get().asString().isNotBlank();
    }

    @Test
    void keysAreLimitedSeparately() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("TwoKeys", "eu-central");
        String first = user.createKeySecret(tenant, List.of("models"));
        String second = user.createKeySecret(tenant, List.of("models"));

        List<HttpResponse<String>> burst = Gateways.burstOfListModels(SystemUnderTest.eu(), first, 30);
        assertThat(burst).extracting(HttpResponse::statusCode).contains(429);

        // The second key's bucket is untouched by the first key's burst: full, less this call.
        var other = Gateways.listModels(SystemUnderTest.eu(), second);
        other.then().statusCode(200);
        assertThat(Integer.parseInt(other.header("x-ratelimit-remaining-requests"))).isGreaterThanOrEqualTo(8);
    }
}
