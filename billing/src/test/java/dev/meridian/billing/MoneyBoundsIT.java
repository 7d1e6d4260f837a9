package dev.meridian.billing;

import static dev.meridian.billing.Api.asGateway;
import static dev.meridian.billing.Api.asOperator;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.billing.pricing.MoneyLimits;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every money input of billing's API is bounded ({@link MoneyLimits}): above the bound it is a 400 problem that names
 * the field, the bound and what to send, and nothing is stored, so no job later overflows on it.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class MoneyBoundsIT {

    private static final long MAX = MoneyLimits.MAX_AMOUNT_MINOR;
    private UUID tenant;

    @BeforeEach
    void aTenantOnAnEnterprisePlan() {
        tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
    }

    private static ValidatableResponse refused(ValidatableResponse response, String field, String bound) {
        return response.statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo(field))
                .body("detail", containsString(field))
                .body("detail", containsString(bound))
                .body("detail", containsString("send "));
    }

    private ValidatableResponse putBudgets(Map<String, Object> body) {
        return asOperator().queryParam("tenant_id", tenant.toString()).body(body).put("/api/v1/billing/budgets")
                .then();
    }

    @Test
    void aSoftBudgetOfLongMaxIsRefusedAndNothingIsStored() {
        refused(putBudgets(Map.of("soft_budget_minor", Long.MAX_VALUE)), "soft_budget_minor", String.valueOf(MAX))
                .body("detail", containsString("null for no soft budget"));
        asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/budgets").then()
                .statusCode(200).body("tenant.soft_budget_minor", nullValue());
    }

    @Test
    void budgetsAreTakenUpToTheBoundAndRefusedOneAbove() {
        putBudgets(Map.of("soft_budget_minor", MAX, "hard_budget_minor", MAX)).statusCode(200)
                .body("tenant.soft_budget_minor", hasToString(String.valueOf(MAX)))
                .body("tenant.hard_budget_minor", hasToString(String.valueOf(MAX)));
        refused(putBudgets(Map.of("hard_budget_minor", MAX + 1)), "hard_budget_minor", String.valueOf(MAX));
        refused(putBudgets(Map.of("soft_budget_minor", 0)), "soft_budget_minor", "below 1");
        refused(putBudgets(Map.of("hard_budget_minor", -1)), "hard_budget_minor", "below 0");
        // the refused changes left the accepted budgets as they were
        asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/budgets").then()
                .statusCode(200).body("tenant.hard_budget_minor", hasToString(String.valueOf(MAX)));
    }

    @Test
    void keyBudgetsAreBoundedToo() {
        UUID key = UUID.randomUUID();
        refused(asOperator().queryParam("tenant_id", tenant.toString())
                        .body(Map.of("soft_budget_minor", Long.MAX_VALUE))
                        .put("/api/v1/billing/budgets/keys/{k}", key).then(),
                "soft_budget_minor", String.valueOf(MAX));
        refused(asOperator().queryParam("tenant_id", tenant.toString())
                        .body(Map.of("hard_budget_minor", 9_000_000_000_000_000_000L))
                        .put("/api/v1/billing/budgets/keys/{k}", key).then(),
                "hard_budget_minor", String.valueOf(MAX));
    }

    @Test
    void creditsAndCreditNotesAreBounded() {
        refused(asOperator().body(Map.of("amount_minor", Long.MAX_VALUE, "reason", "x"))
                        .post("/api/v1/billing/admin/tenants/{t}/credits", tenant).then(),
                "amount_minor", String.valueOf(MAX));
        refused(asOperator().body(Map.of("invoice_id", UUID.randomUUID(), "amount_minor", MAX + 1, "reason", "x"))
                        .post("/api/v1/billing/admin/tenants/{t}/credit-notes", tenant).then(),
                "amount_minor", String.valueOf(MAX));
        asOperator().body(Map.of("amount_minor", MAX, "reason", "largest grant"))
                .post("/api/v1/billing/admin/tenants/{t}/credits", tenant).then().statusCode(201)
                .body("balance_minor", hasToString(String.valueOf(MAX)));
    }

    @Test
    void customPricesAreBounded() {
        refused(asOperator().body(Map.of("plan", "enterprise", "custom_prices_nanos",
                                Map.of("requests", MoneyLimits.MAX_UNIT_PRICE_NANOS + 1)))
                        .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then(),
                "custom_prices_nanos.requests", String.valueOf(MoneyLimits.MAX_UNIT_PRICE_NANOS));
    }

    @Test
    void aLeaseSettlementCannotReportMoreThanTheLargestAmount() {
        refused(asGateway().body(new LeaseSettlement(Long.MAX_VALUE, Map.of()))
                        .post(LeaseSettlement.path(UUID.randomUUID())).then(),
                "spent_nanos", String.valueOf(MoneyLimits.MAX_SPENT_NANOS));
        refused(asGateway().body(new LeaseSettlement(0, Map.of("requests", Long.MAX_VALUE)))
                        .post(LeaseSettlement.path(UUID.randomUUID())).then(),
                "spent_quantities.requests", String.valueOf(MoneyLimits.MAX_QUANTITY));
    }
}
