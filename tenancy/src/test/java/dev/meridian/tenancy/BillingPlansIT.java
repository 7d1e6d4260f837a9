package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.asGateway;
import static dev.meridian.tenancy.Api.count;
import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Billing owns plans: a plan change published on {@code billing.plans} (the message billing's outbox writes, sent
 * here to the real broker) sets tenancy's copy, so the key lookup gateways use carries the new rate limit, and the
 * gateways are told to look again ({@code tenant.updated}). Replays and older changes change nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BillingPlansIT {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ChangeConsumer changes;

    @BeforeEach
    void listenFromNow() {
        changes = ChangeConsumer.fromEnd();
    }

    @AfterEach
    void close() {
        changes.close();
    }

    @Test
    void aPlanChangeFromBillingSetsTheRateLimitOnceAndReplaysChangeNothing() throws Exception {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Upgrading");
        String prefix = createKey(owner.accessToken(), tenant, "k", "inference").path("prefix");
        asGateway().get("/internal/v1/api-keys/{p}", prefix).then().statusCode(200)
                .body("plan", equalTo("free"))
                .body("rate_limit.requests_per_second", equalTo(5));
        UUID id = UUID.fromString(tenant);
        PlanChange toEnterprise = new PlanChange(UUID.randomUUID(), id, "enterprise", 2, Instant.now());

        publish(toEnterprise);
        awaitPlan(prefix, "enterprise");
        asGateway().get("/internal/v1/api-keys/{p}", prefix).then()
                .body("rate_limit.requests_per_second", equalTo(1000))
                .body("rate_limit.burst", equalTo(2000));
        List<TenancyChange> told = changes.await(tenant, 3, Duration.ofSeconds(10));
        assertThat(told).extracting(TenancyChange::type).containsExactly(TenancyChange.TENANT_CREATED,
                TenancyChange.API_KEY_CREATED, TenancyChange.TENANT_UPDATED);

        // the same event again, and an older change delivered late: nothing moves, nobody is told anything
        publish(toEnterprise);
        publish(new PlanChange(UUID.randomUUID(), id, "payg", 1, Instant.now()));
        PlanChange marker = new PlanChange(UUID.randomUUID(), id, "enterprise", 3, Instant.now());
        publish(marker); // a newer change of the same plan: applied (its version), but no plan change to announce
        await("plan version 3 applied to the tenant").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> planVersion(tenant) >= 3);
        assertThat(planVersion(tenant)).isEqualTo(3);
        asGateway().get("/internal/v1/api-keys/{p}", prefix).then()
                .body("plan", equalTo("enterprise"));
        changes.expectNoMore(tenant, Duration.ofSeconds(1));
        assertThat(count("select count(*) from audit_events where tenant_id = ?::uuid and action = 'tenant.plan_changed'",
                tenant)).isEqualTo(1);
        as(owner.accessToken()).get("/api/v1/tenants/{t}", tenant).then().statusCode(200)
                .body("plan", equalTo("enterprise"));

        // billing moves the tenant down again: the lower limit follows
        publish(new PlanChange(UUID.randomUUID(), id, "payg", 4, Instant.now()));
        awaitPlan(prefix, "payg");
        asGateway().get("/internal/v1/api-keys/{p}", prefix).then()
                .body("rate_limit.requests_per_second", equalTo(50));
        assertThat(changes.await(tenant, 1, Duration.ofSeconds(10))).extracting(TenancyChange::type)
                .containsExactly(TenancyChange.TENANT_UPDATED);
    }

    @Test
    void aPlanTenancyHasNoRateLimitsForIsSkippedWithoutStoppingTheStream() throws Exception {
        var owner = newUser();
        String tenant = createTenant(owner.accessToken(), "Odd plan");
        String prefix = createKey(owner.accessToken(), tenant, "k", "inference").path("prefix");
        UUID id = UUID.fromString(tenant);
        publish(new PlanChange(UUID.randomUUID(), id, "platinum", 1, Instant.now()));
        publish(new PlanChange(UUID.randomUUID(), UUID.randomUUID(), "payg", 1, Instant.now())); // unknown tenant
        publish(new PlanChange(UUID.randomUUID(), id, "subscription", 2, Instant.now()));
        awaitPlan(prefix, "subscription");
        asGateway().get("/internal/v1/api-keys/{p}", prefix).then()
                .body("rate_limit.requests_per_second", equalTo(200));
    }

    private static void publish(PlanChange change) throws Exception {
        // as billing publishes them: with billing's principal
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("billing", Map.of(ProducerConfig.ACKS_CONFIG,
                "all")), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(PlanChange.TOPIC, change.tenantId().toString(),
                    JSON.writeValueAsString(change))).get();
        }
    }

    private static long planVersion(String tenant) {
        return count("select plan_version from tenants where id = ?::uuid", tenant);
    }

    private static void awaitPlan(String prefix, String plan) {
        await("the key lookup of " + prefix + " carries plan " + plan).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> asGateway().get("/internal/v1/api-keys/{p}", prefix).then()
                        .body("plan", equalTo(plan)));
    }
}
