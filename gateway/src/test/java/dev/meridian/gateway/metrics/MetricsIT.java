package dev.meridian.gateway.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /q/metrics} after real calls: refusals by code, the key cache, and no raw ids in route labels. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MetricsIT {

    @Inject
    KeyDirectory keys;

    @Test
    void refusalsAndTheKeyCacheAreCountedAndRoutesCarryNoIds() {
        String before = metrics();
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        given().get("/v1/models").then().statusCode(401);
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then().statusCode(200);
        given().header("Authorization", "Bearer " + key.key()).get("/v1/files/file-8a7c5e0d1b2f4e6a").then();
        String after = metrics();

        assertThat(value(after, "meridian_gateway_refusals_total", "code=\"missing_api_key\""))
                .isEqualTo(value(before, "meridian_gateway_refusals_total", "code=\"missing_api_key\"") + 1);
        assertThat(value(after, "meridian_gateway_key_cache_requests_total", "result=\"hit\""))
                .isGreaterThanOrEqualTo(value(before, "meridian_gateway_key_cache_requests_total", "result=\"hit\"") + 2);
        assertThat(after).contains("meridian_gateway_usage_backlog", "meridian_gateway_usage_spool_age_seconds",
                "meridian_gateway_key_cache_size",
                "meridian_gateway_lease_requests_total{outcome=\"failed\"}", "meridian_gateway_lease_holders");
        assertThat(after.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")))
                .isNotEmpty()
                .noneMatch(l -> l.contains("file-8a7c5e0d1b2f4e6a"))
                .anyMatch(l -> l.contains("uri=\"/v1/files/{file_id}\""));
        // buckets for the p99 alert: one series per bound, never the percentile histogram's seventy
        assertThat(after.lines().filter(l -> l.startsWith("http_server_requests_seconds_bucket{")
                && l.contains("uri=\"/v1/models\"") && l.contains("status=\"200\""))).hasSize(12);
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double value(String exposition, String name, String label) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
