package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.events.PlanChange;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Billing owns plans: each plan an operator sets is published on {@code billing.plans} (through the outbox, in the
 * transaction of the change) with a version that counts the tenant's changes, which tenancy applies to its copy
 * (tenancy's {@code BillingPlansIT} feeds it these messages). A refused change publishes nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class PlanChangesIT {

    @Test
    void everyPlanSetByAnOperatorIsPublishedOnceWithTheNextVersion() throws Exception {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "payg", "region", "eu-central"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200)
                .body("plan", equalTo("payg"));
        asOperator().body(Map.of("plan", "platinum")).put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then()
                .statusCode(400).body("detail", containsString("free, payg, subscription, enterprise"));
        asOperator().body(Map.of("plan", "subscription", "custom_prices_nanos", Map.of("requests", 1)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(400);
        asOperator().body(Map.of("plan", "enterprise", "custom_prices_nanos", Map.of("requests", 50_000)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);

        List<PlanChange> published = Api.planChanges(tenant, 2, Duration.ofSeconds(20));
        assertThat(published).extracting(PlanChange::plan).containsExactly("payg", "enterprise");
        assertThat(published).extracting(PlanChange::version).containsExactly(1L, 2L);
        assertThat(published).allSatisfy(c -> assertThat(c.tenantId()).isEqualTo(tenant));
        assertThat(published.stream().map(PlanChange::id).distinct()).hasSize(2);
    }
}
