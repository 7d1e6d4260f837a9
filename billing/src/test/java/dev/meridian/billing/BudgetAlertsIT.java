package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.meridian.billing.budgets.service.WebhookSignature;
import dev.meridian.billing.jobs.BillingJobs;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Soft budgets: an alert on billing.alerts and a signed webhook, once per threshold, retried until delivered. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BudgetAlertsIT {

    @Inject
    BillingJobs jobs;

    private static HttpServer receiver;
    private static final List<String[]> RECEIVED = new CopyOnWriteArrayList<>();
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        receiver.createContext("/hooks", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            // the very first call fails, as a receiver that is briefly down would: billing must retry it
            int status = ATTEMPTS.incrementAndGet() == 1 ? 503 : 200;
            if (status == 200) {
                RECEIVED.add(new String[] {body, ex.getRequestHeaders().getFirst(WebhookSignature.HEADER)});
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private static void spend(UUID tenant, int cents) throws Exception {
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < cents; i++) {
            events.add(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 1, null, null,
                    Instant.now(), "test"));
        }
        long before = Api.storedQuantity(tenant, Meter.REQUESTS);
        publish(events);
        awaitQuantity(tenant, Meter.REQUESTS, before + cents);
    }

    private static void awaitHooks(int n) {
        await("the webhook receiver to get " + n + " signed alerts").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> RECEIVED.size() >= n);
    }

    @Test
    void eachThresholdIsAnnouncedOnceOnKafkaAndByASignedWebhook() throws Exception {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central", "custom_prices_nanos",
                        Map.of("requests", 1_000_000_000L)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        String secret = asOperator().queryParam("tenant_id", tenant.toString())
                .body(Map.of("soft_budget_minor", 100, "webhook_url",
                        "http://localhost:" + receiver.getAddress().getPort() + "/hooks"))
                .put("/api/v1/billing/budgets").then().statusCode(200).extract().path("webhook_secret");
        assertThat(secret).startsWith("whsec_");

        spend(tenant, 60); // 60 % of 1.00 EUR
        awaitHooks(1);
        spend(tenant, 45); // 105 %: the 80 and 100 thresholds
        awaitHooks(3);
        // more rounds of the jobs (alerts, then webhook delivery), run now rather than waited for: nothing twice
        jobs.tick();
        jobs.tick();
        assertThat(RECEIVED).hasSize(3);
        assertThat(ATTEMPTS.get()).isEqualTo(4); // the refused first call was retried

        List<Integer> thresholds = new ArrayList<>();
        for (String[] call : RECEIVED) {
            assertThat(WebhookSignature.verify(secret, call[1], call[0])).isTrue();
            assertThat(WebhookSignature.verify("whsec_wrong", call[1], call[0])).isFalse();
            JsonNode alert = Api.JSON.readTree(call[0]);
            assertThat(alert.path("tenant_id").asText()).isEqualTo(tenant.toString());
            assertThat(alert.path("currency").asText()).isEqualTo("EUR");
            thresholds.add(alert.path("threshold_pct").asInt());
        }
        assertThat(thresholds).containsExactlyInAnyOrder(50, 80, 100);

        Properties p = TestStack.get().kafkaAdminProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "alerts-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Integer> published = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("billing.alerts"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (published.size() < 3 && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode alert = Api.JSON.readTree(r.value());
                    if (alert.path("tenant_id").asText().equals(tenant.toString())) {
                        assertThat(r.key()).isEqualTo(tenant.toString());
                        published.add(alert.path("threshold_pct").asInt());
                    }
                }
            }
        }
        assertThat(published).containsExactlyInAnyOrder(50, 80, 100);
    }
}
