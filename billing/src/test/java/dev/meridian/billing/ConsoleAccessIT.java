package dev.meridian.billing;

import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Console users (real Keycloak tokens) read billing as owner, admin or billing members, and nothing else. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInTenancy.class, restrictToAnnotatedClass = false)
class ConsoleAccessIT {

    @Test
    void membersReadByRoleAndOthersGet404() throws Exception {
        UUID tenant = UUID.randomUUID();
        publish(List.of(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 4, null, null,
                Instant.now(), "test")));
        awaitQuantity(tenant, Meter.REQUESTS, 4);
        String billing = TestStack.get().newUser().accessToken();
        String developer = TestStack.get().newUser().accessToken();
        String stranger = TestStack.get().newUser().accessToken();
        StandInTenancy.member(StandInTenancy.subjectOf(billing), tenant.toString(), "billing");
        StandInTenancy.member(StandInTenancy.subjectOf(developer), tenant.toString(), "developer");

        given().auth().oauth2(billing).queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/usage")
                .then().statusCode(200).body("data[0].quantity", equalTo(4));
        given().auth().oauth2(developer).queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/usage")
                .then().statusCode(403).body("detail", containsString("owner, admin or billing"));
        given().auth().oauth2(stranger).queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/invoices")
                .then().statusCode(404);
        given().auth().oauth2(billing).get("/api/v1/billing/usage").then().statusCode(400)
                .body("detail", containsString("tenant_id"));
        // a billing member reads but does not set budgets
        given().auth().oauth2(billing).contentType(ContentType.JSON).queryParam("tenant_id", tenant.toString())
                .body(Map.of("hard_budget_minor", 100)).put("/api/v1/billing/budgets").then().statusCode(403)
                .body("detail", containsString("owner or admin"));
    }
}
