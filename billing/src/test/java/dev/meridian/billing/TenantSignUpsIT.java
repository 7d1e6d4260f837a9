package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Billing opens each new tenant's account from tenancy's {@code tenant.created} (the message tenancy's outbox writes,
 * sent here to the real broker) on the plan and in the home region the tenant was created with, so that billing and
 * tenancy agree from the start. A plan billing set is never overridden; a plan billing does not offer is refused and
 * billing's own plan is published for tenancy to follow.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TenantSignUpsIT {

    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void producer() {
        producer = Api.producer("tenancy"); // as tenancy's outbox publishes
    }

    @AfterAll
    static void close() {
        producer.close(Duration.ofSeconds(5));
    }

    @Test
    void aNewTenantsAccountOpensOnItsPlanInItsHomeRegionAndAReplayChangesNothing() throws Exception {
        UUID tenant = UUID.randomUUID();
        created(tenant, "payg", "us-east");

        awaitPlan(tenant, "payg").then().body("region", equalTo("us-east")).body("currency", equalTo("USD"));
        created(tenant, "payg", "us-east");
        handledInOrder(tenant);
        assertThat(planVersion(tenant)).as("tenancy has this plan already: nothing to publish").isZero();
        assertThat(planChangesWritten(tenant)).isZero();
    }

    @Test
    void anOperatorsPlanIsNeverOverriddenByTheSignUpPlan() throws Exception {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);

        created(tenant, "free", "eu-central");
        handledInOrder(tenant);

        plan(tenant).then().statusCode(200).body("plan", equalTo("enterprise"));
        assertThat(planVersion(tenant)).isEqualTo(1);
        assertThat(planChangesWritten(tenant)).as("only the operator's change").isEqualTo(1);
    }

    @Test
    void anAccountOpenedOnTheDefaultPlanByEarlyUsageMovesToTheSignUpPlan() throws Exception {
        UUID tenant = UUID.randomUUID();
        Api.publish(List.of(Api.event(tenant, Meter.REQUESTS, 3, Instant.now())));
        assertThat(Api.awaitQuantity(tenant, Meter.REQUESTS, 3)).isEqualTo(3);
        plan(tenant).then().statusCode(200).body("plan", equalTo("free"));

        created(tenant, "subscription", "eu-central");

        awaitPlan(tenant, "subscription").then().body("region", equalTo("eu-central"));
        assertThat(planVersion(tenant)).isZero();
        assertThat(planChangesWritten(tenant)).isZero();
    }

    @Test
    void aPlanBillingDoesNotOfferIsRefusedAndTenancyIsToldBillingsPlan() throws Exception {
        UUID tenant = UUID.randomUUID();
        created(tenant, "platinum", "eu-central");

        awaitPlan(tenant, "free");
        List<PlanChange> published = Api.planChanges(tenant, 1, Duration.ofSeconds(20));
        assertThat(published).extracting(PlanChange::plan).containsExactly("free");
        assertThat(published).extracting(PlanChange::version).containsExactly(1L);
    }

    @Test
    void eventsBillingCannotOpenAnAccountFromAreSkippedAndTheNextOnesStillHandled() throws Exception {
        UUID noPlan = UUID.randomUUID();
        UUID unknownRegion = UUID.randomUUID();
        UUID keyEvent = UUID.randomUUID();
        String partition = noPlan.toString(); // one key, so one partition: handled in this order
        send(partition, "{not json");
        send(partition, Api.JSON.writeValueAsString(TenancyChange.tenantCreated(UUID.randomUUID(), noPlan, null,
                "eu-central", Instant.now())));
        send(partition, Api.JSON.writeValueAsString(TenancyChange.tenantCreated(UUID.randomUUID(), unknownRegion,
                "payg", "mars-1", Instant.now())));
        send(partition, Api.JSON.writeValueAsString(new TenancyChange(UUID.randomUUID(),
                TenancyChange.API_KEY_CREATED, keyEvent, UUID.randomUUID(), "Ab12Cd34Ef56", null, null,
                Instant.now())));
        handledInOrder(noPlan);

        for (UUID tenant : List.of(noPlan, unknownRegion, keyEvent)) {
            plan(tenant).then().statusCode(404);
        }
    }

    /** Sends {@code tenant.created} as tenancy's outbox does: keyed by the tenant. */
    private static void created(UUID tenant, String plan, String homeRegion) throws Exception {
        send(tenant.toString(), Api.JSON.writeValueAsString(TenancyChange.tenantCreated(UUID.randomUUID(), tenant,
                plan, homeRegion, Instant.now())));
    }

    private static void send(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(TenancyChange.TOPIC, key, value)).get();
    }

    /**
     * Waits until billing has handled everything sent so far under {@code tenant}'s key: sends a new tenant's
     * {@code tenant.created} under the same key (so the same partition, after them) and waits for its account.
     */
    private static void handledInOrder(UUID tenant) throws Exception {
        UUID marker = UUID.randomUUID();
        send(tenant.toString(), Api.JSON.writeValueAsString(TenancyChange.tenantCreated(UUID.randomUUID(), marker,
                "payg", "eu-central", Instant.now())));
        awaitPlan(marker, "payg");
    }

    /** The tenant's plan as an operator reads it (404 while billing has no account). */
    private static Response plan(UUID tenant) {
        return asOperator().queryParam("tenant_id", tenant).get("/api/v1/billing/plan");
    }

    private static Response awaitPlan(UUID tenant, String plan) {
        var last = new java.util.concurrent.atomic.AtomicReference<Response>();
        await("billing's account of " + tenant + " to be on plan " + plan).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    Response r = plan(tenant);
                    last.set(r);
                    assertThat(r.statusCode()).as("billing's account of %s: %s", tenant, r.asString()).isEqualTo(200);
                    assertThat(r.<String>path("plan")).isEqualTo(plan);
                });
        return last.get();
    }

    private static long planVersion(UUID tenant) throws SQLException {
        return count("select plan_version from billing.accounts where tenant_id = ?", tenant);
    }

    /** The plan changes billing's outbox holds for the tenant, published or not. */
    private static long planChangesWritten(UUID tenant) throws SQLException {
        return count("select count(*) from billing.outbox where topic = '" + PlanChange.TOPIC
                + "' and message_key = ?", tenant.toString());
    }

    private static long count(String sql, Object param) throws SQLException {
        try (var c = Api.superuser(); var s = c.prepareStatement(sql)) {
            s.setObject(1, param);
            var rs = s.executeQuery();
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
