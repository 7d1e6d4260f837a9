package dev.meridian.billing;

import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.billing.jobs.BillingJobs;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /q/metrics}: usage ingested, the jobs' rounds and the outbox follow what billing really did. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MetricsIT {

    @Inject
    BillingJobs jobs;

    @Test
    void ingestJobsAndOutboxAreMeasured() throws Exception {
        String before = metrics();
        UUID tenant = UUID.randomUUID();
        publish(List.of(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 3, "bge-small-en-v1.5",
                null, Instant.now(), "test")));
        awaitQuantity(tenant, Meter.REQUESTS, 3);
        jobs.tick();
        String after = metrics();

        assertThat(value(after, "meridian_billing_usage_events_ingested_total", ""))
                .isGreaterThanOrEqualTo(value(before, "meridian_billing_usage_events_ingested_total", "") + 1);
        String relayOk = "job=\"outbox relay\",outcome=\"ok\"";
        assertThat(value(after, "meridian_billing_job_rounds_total", relayOk))
                .isGreaterThan(value(before, "meridian_billing_job_rounds_total", relayOk));
        assertThat(after).contains("meridian_outbox_backlog{table=\"outbox\"}",
                "meridian_outbox_oldest_age_seconds{table=\"outbox\"}");
        // no tenant id in any label
        assertThat(after.lines().filter(l -> !l.startsWith("#")).filter(l -> l.contains(tenant.toString()))).isEmpty();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sample {@code name} whose labels contain {@code label} (none when it is empty); 0 if there is none. */
    private static double value(String exposition, String name, String label) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (m.find()) {
            if (m.group(2) == null ? label.isEmpty() : m.group(2).contains(label)) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }
}
