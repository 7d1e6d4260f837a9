package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a tenant export reads of billing: the tenant's hourly usage and its invoices, for the regional models services'
 * account only, read only.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class InternalExportIT {

    /** Usage in the month before the current one: closed, so it can be finalized, whatever today is. */
    private static final YearMonth LAST_MONTH = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
    private static final Instant IN_LAST_MONTH = Period.of(LAST_MONTH).start().plus(Duration.ofDays(3))
            .plus(Duration.ofMinutes(9 * 60 + 30));

    private static RequestSpecification as(String client) {
        return given().auth().oauth2(TestStack.get().serviceToken(client));
    }

    @Test
    void onlyTheModelsServicesAccountMayReadATenantsUsageAndInvoices() {
        UUID tenant = UUID.randomUUID();
        for (String other : List.of("meridian-gateway", "meridian-tenancy", "meridian-inference", "meridian-worker",
                "meridian-partner")) {
            for (String list : List.of("usage-hourly", "invoices")) {
                as(other).get("/internal/v1/tenants/{t}/export/" + list, tenant).then().statusCode(403)
                        .contentType("application/problem+json");
            }
        }
        given().auth().oauth2(TestStack.get().operatorToken())
                .get("/internal/v1/tenants/{t}/export/invoices", tenant).then().statusCode(403);
        given().get("/internal/v1/tenants/{t}/export/invoices", tenant).then().statusCode(401);
        as("meridian-models").post("/internal/v1/tenants/{t}/export/invoices", tenant).then().statusCode(405);
    }

    @Test
    void aTenantsUsageComesPerHourModelAndKeyWithItsInvoices() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        publish(List.of(
                new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 4, "bge-small-en-v1.5", key,
                        IN_LAST_MONTH, "test"),
                new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 3, "bge-small-en-v1.5", key,
                        IN_LAST_MONTH.plus(Duration.ofHours(2)), "test")));
        awaitQuantity(tenant, Meter.REQUESTS, 7);
        asOperator().body(Map.of("period", LAST_MONTH.toString()))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", tenant).then().statusCode(200);

        as("meridian-models").get("/internal/v1/tenants/{t}/export/usage-hourly", tenant).then().statusCode(200)
                .body("data.size()", equalTo(2))
                .body("data[0].meter", equalTo("requests"))
                .body("data[0].hour", equalTo(IN_LAST_MONTH.truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                        .toString()))
                .body("data[0].quantity", equalTo(4))
                .body("data[0].model", equalTo("bge-small-en-v1.5"))
                .body("data[0].key_id", equalTo(key.toString()))
                .body("data[1].quantity", equalTo(3));
        as("meridian-models").get("/internal/v1/tenants/{t}/export/invoices", tenant).then().statusCode(200)
                .body("data.find { it.status == 'final' }.tenant_id", equalTo(tenant.toString()));

        as("meridian-models").get("/internal/v1/tenants/{t}/export/usage-hourly", UUID.randomUUID()).then()
                .statusCode(200).body("data.size()", equalTo(0));
    }
}
