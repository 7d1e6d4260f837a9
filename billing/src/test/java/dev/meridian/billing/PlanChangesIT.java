package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.events.PlanChange;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
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

        List<PlanChange> published = published(tenant, 2, Duration.ofSeconds(20));
        assertThat(published).extracting(PlanChange::plan).containsExactly("payg", "enterprise");
        assertThat(published).extracting(PlanChange::version).containsExactly(1L, 2L);
        assertThat(published).allSatisfy(c -> assertThat(c.tenantId()).isEqualTo(tenant));
        assertThat(published.stream().map(PlanChange::id).distinct()).hasSize(2);
    }

    /** The tenant's messages on billing.plans, from the beginning, after waiting for {@code n} (and 1 s more). */
    private static List<PlanChange> published(UUID tenant, int n, Duration timeout) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "plans-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<PlanChange> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(PlanChange.TOPIC));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    PlanChange c = Api.JSON.readValue(r.value(), PlanChange.class);
                    if (tenant.equals(c.tenantId())) {
                        assertThat(r.key()).as("keyed by tenant").isEqualTo(tenant.toString());
                        found.add(c);
                    }
                }
                if (found.size() >= n && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // a duplicate would show now
                }
            }
        }
        return found;
    }
}
