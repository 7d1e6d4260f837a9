package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /q/metrics}: the outbox's figures follow real changes, and routes are labelled by template, never by id. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MetricsIT {

    @Test
    void theOutboxIsMeasuredAndRoutesCarryTemplates() {
        double published = value(metrics(), "meridian_outbox_published_total");
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Measured");
        as(user.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200);

        // tenant.created went out through the outbox: published grows, and the backlog drains to nothing
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String m = metrics();
            assertThat(value(m, "meridian_outbox_published_total")).isGreaterThan(published);
            assertThat(value(m, "meridian_outbox_backlog")).isZero();
            assertThat(value(m, "meridian_outbox_oldest_age_seconds")).isZero();
        });
        String m = metrics();
        assertThat(m).contains("meridian_outbox_failed_attempts_total{table=\"outbox\"",
                "uri=\"/api/v1/tenants/{tenantId}\"", "http_server_requests_seconds_bucket{",
                // the plan-changes consumer, bound to Micrometer by Quarkus: what MeridianConsumerLagGrowing reads
                "kafka_consumer_fetch_manager_records_lag_max{");
        assertThat(m.lines().filter(l -> l.startsWith("http_server_requests")).filter(l -> l.contains(tenant)))
                .isEmpty();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample {@code name{table="outbox"}}. */
    private static double value(String exposition, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*table=\"outbox\"[^}]*\\} (\\S+)$",
                Pattern.MULTILINE).matcher(exposition);
        assertThat(m.find()).as(name + " in " + exposition.length() + " characters of metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
