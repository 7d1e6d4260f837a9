package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The gateways' served-request counts against billed requests, per tenant and hour. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInGateways.class, restrictToAnnotatedClass = false)
class ReconciliationIT {

    /** A whole past day no other test bills usage in (they bill now, or in the last two hours). */
    private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(3, ChronoUnit.DAYS);
    private static final Instant H1 = DAY.plus(10, ChronoUnit.HOURS);
    private static final Instant H2 = DAY.plus(11, ChronoUnit.HOURS);

    @Test
    void everyTenantHourWhereServedAndBilledDifferIsReported() throws Exception {
        UUID agrees = UUID.randomUUID();
        UUID lostUsage = UUID.randomUUID();
        UUID unknownToGateways = UUID.randomUUID();
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(new UsageEvent(UUID.randomUUID(), agrees, "eu-central", Meter.REQUESTS, 1, null, null,
                    H1.plusSeconds(i * 60), "test"));
        }
        for (int i = 0; i < 5; i++) {
            events.add(new UsageEvent(UUID.randomUUID(), lostUsage, "eu-central", Meter.REQUESTS, 1, null, null,
                    H2.plusSeconds(i), "test"));
        }
        events.add(new UsageEvent(UUID.randomUUID(), unknownToGateways, "eu-central", Meter.REQUESTS, 3, null, null,
                H1, "test"));
        publish(events);
        awaitQuantity(agrees, Meter.REQUESTS, 10);
        awaitQuantity(lostUsage, Meter.REQUESTS, 5);
        awaitQuantity(unknownToGateways, Meter.REQUESTS, 3);
        StandInGateways.ANSWERS.put("gateway-a", Api.JSON.writeValueAsString(Map.of("gateway_id", "a", "region",
                "eu-central", "hours", List.of(
                        Map.of("tenant_id", agrees.toString(), "hour", H1.toString(), "requests", 6),
                        Map.of("tenant_id", lostUsage.toString(), "hour", H2.toString(), "requests", 4)))));
        StandInGateways.ANSWERS.put("gateway-b", Api.JSON.writeValueAsString(Map.of("gateway_id", "b", "region",
                "us-east", "hours", List.of(
                        Map.of("tenant_id", agrees.toString(), "hour", H1.toString(), "requests", 4),
                        Map.of("tenant_id", lostUsage.toString(), "hour", H2.toString(), "requests", 3)))));

        JsonPath report = asOperator().queryParam("from", DAY.toString())
                .queryParam("to", DAY.plus(1, ChronoUnit.DAYS).toString()).get("/api/v1/billing/admin/reconciliation")
                .then().statusCode(200).extract().jsonPath();

        assertThat(report.getBoolean("complete")).isTrue();
        assertThat(report.getList("differences.tenant_id", String.class))
                .containsExactly(unknownToGateways.toString(), lostUsage.toString());
        assertThat(report.getList("differences.difference", Long.class)).containsExactly(-3L, 2L);
        assertThat(report.getLong("served_total")).isEqualTo(17);
        assertThat(report.getLong("billed_total")).isEqualTo(18);
        // billing's service token, from the OIDC client filter of the clients built per gateway
        assertThat(StandInGateways.AUTHORIZATIONS).isNotEmpty().allMatch(h -> h.startsWith("Bearer ey"));
    }

    @Test
    void aGatewayThatIsDownIsNamedAndTheReportSaysItIsIncomplete() {
        StandInGateways.DOWN.add("gateway-b");
        try {
            JsonPath report = asOperator().queryParam("from", DAY.toString())
                    .queryParam("to", DAY.plus(1, ChronoUnit.DAYS).toString())
                    .get("/api/v1/billing/admin/reconciliation").then().statusCode(200).extract().jsonPath();

            assertThat(report.getBoolean("complete")).isFalse();
            assertThat(report.getList("gateways_asked", String.class)).containsExactly("gateway-a", "gateway-b");
            Map<String, String> unreachable = report.getMap("unreachable_gateways", String.class, String.class);
            assertThat(unreachable).containsOnlyKeys("gateway-b");
            assertThat(unreachable.get("gateway-b")).endsWith("answered 503");
        } finally {
            StandInGateways.DOWN.clear();
        }
    }

    @Test
    void onlyWholeHoursAndOperatorsAreAccepted() {
        asOperator().queryParam("from", DAY.plus(30, ChronoUnit.MINUTES).toString())
                .queryParam("to", DAY.plus(1, ChronoUnit.DAYS).toString())
                .get("/api/v1/billing/admin/reconciliation").then().statusCode(400)
                .body("detail", containsString("whole hour"));
        Api.asGateway().get("/api/v1/billing/admin/reconciliation").then().statusCode(403);
    }
}
