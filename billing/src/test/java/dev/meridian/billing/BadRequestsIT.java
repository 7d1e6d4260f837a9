package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Billing answers every mistake as an RFC 9457 problem that says what to fix (the management APIs' shared mappers in
 * meridian-common), and a refused change changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInTenancy.class, restrictToAnnotatedClass = false)
class BadRequestsIT {

    private static final String PLAN = "/api/v1/billing/admin/tenants/{t}/plan";

    @Test
    void aBodyThatIsNotJsonSaysWhereItBroke() {
        UUID tenant = UUID.randomUUID();
        asOperator().body("{\"plan\": \"payg\",\n \"region\": ").put(PLAN, tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Malformed JSON"))
                .body("detail", containsString("line 2"))
                .body("detail", not(containsString("Exception")));
        // nothing was opened for the tenant; the same change sent well-formed opens its account on the plan
        asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/plan").then().statusCode(404);
        asOperator().body("{\"plan\": \"payg\", \"region\": \"eu-central\"}").put(PLAN, tenant).then()
                .statusCode(200);
        asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/plan").then().statusCode(200)
                .body("plan", equalTo("payg"));
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsTheRequestTakes() {
        asOperator().body("{\"plan\": \"payg\", \"tier\": 3}").put(PLAN, UUID.randomUUID()).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("tier"))
                .body("detail", containsString("custom_prices_nanos"));
    }

    @Test
    void aValueOfTheWrongTypeNamesTheFieldAndWhatItTakes() {
        asOperator().body("{\"plan\": \"enterprise\", \"custom_prices_nanos\": {\"requests\": \"cheap\"}}")
                .put(PLAN, UUID.randomUUID()).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("custom_prices_nanos.requests"))
                .body("detail", containsString("a number"));
    }

    @Test
    void withoutATokenTheAnswerSaysHowToSignInAndThatProgramsUseAKey() {
        given().queryParam("tenant_id", UUID.randomUUID().toString()).get("/api/v1/billing/usage").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString("Authorization: Bearer"))
                .body("detail", containsString("billing:read"));
    }
}
