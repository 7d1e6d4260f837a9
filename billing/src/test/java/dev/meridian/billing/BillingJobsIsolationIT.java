package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static dev.meridian.billing.Api.superuser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.billing.jobs.BillingJobs;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The billing jobs serve every tenant in one round: a tenant whose data makes its step fail, or whose webhook never
 * answers, must not hold back the others.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BillingJobsIsolationIT {

    @Inject
    BillingJobs jobs;

    /** An enterprise tenant paying 1 cent per request, with a soft budget of 1.00 EUR (and maybe a webhook). */
    private static UUID tenantWithSoftBudget(UUID tenant, String webhookUrl) {
        asOperator().body(Map.of("plan", "enterprise", "region", "eu-central", "custom_prices_nanos",
                        Map.of("requests", 1_000_000_000L)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        Map<String, Object> budgets = new HashMap<>(Map.of("soft_budget_minor", 100));
        if (webhookUrl != null) {
            budgets.put("webhook_url", webhookUrl);
        }
        asOperator().queryParam("tenant_id", tenant.toString()).body(budgets).put("/api/v1/billing/budgets").then()
                .statusCode(200);
        return tenant;
    }

    private static void spend(UUID tenant, int requests) throws Exception {
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            events.add(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 1, null, null,
                    Instant.now(), "test"));
        }
        long before = Api.storedQuantity(tenant, Meter.REQUESTS);
        publish(events);
        awaitQuantity(tenant, Meter.REQUESTS, before + requests);
    }

    private static long count(String sql, UUID tenant) throws SQLException {
        try (var c = superuser(); var s = c.prepareStatement(sql)) {
            s.setObject(1, tenant);
            var rs = s.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long alerts(UUID tenant) throws SQLException {
        return count("select count(*) from billing.budget_alerts where tenant_id = ?", tenant);
    }

    private static void sql(String sql, Object... args) throws SQLException {
        try (var c = superuser(); var s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    @Test
    void aTenantWhoseAlertCheckThrowsDoesNotStopAlertsForTheOthersAndIsRetriedNextRound() throws Exception {
        // A row the API refuses since budgets are bounded, as stored before: soft budget Long.MAX_VALUE makes the
        // check's arithmetic overflow. Its id sorts first, so the jobs meet it before every other tenant.
        UUID poisoned = new UUID(0, ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        sql("insert into billing.accounts (tenant_id, region, plan, soft_budget_minor) values (?, 'eu-central',"
                + " 'enterprise', 9223372036854775807)", poisoned);
        sql("insert into billing.custom_prices (tenant_id, meter, unit_price_nanos) values (?, 'requests',"
                + " 1000000000)", poisoned);
        spend(poisoned, 5);

        UUID other = tenantWithSoftBudget(UUID.randomUUID(), null);
        spend(other, 60);
        await("the other tenant's 50 % alert, past the failing tenant").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100)).until(() -> alerts(other) == 1);
        assertThat(alerts(poisoned)).isZero();

        // repaired, the failing tenant gets its alert in a later round: it was skipped, not dropped
        sql("update billing.accounts set soft_budget_minor = 5 where tenant_id = ?", poisoned);
        await("the repaired tenant's alerts in a later round").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100)).until(() -> alerts(poisoned) == 3);
    }

    @Test
    void aWebhookThatNeverAnswersDoesNotDelayTheJobsForOtherTenants() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                // accepts every connection and never reads or answers
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            UUID stuck = tenantWithSoftBudget(UUID.randomUUID(),
                    "http://127.0.0.1:" + silent.getLocalPort() + "/hooks");
            spend(stuck, 100); // 50, 80 and 100 %: three calls to the silent receiver
            await("a call to the silent receiver under way").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !held.isEmpty());

            UUID other = tenantWithSoftBudget(UUID.randomUUID(), null);
            spend(other, 60);
            // the jobs run every second in tests; each call to the silent receiver may wait its 10 s read timeout
            await("the other tenant's alert while the calls hang").atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(50)).until(() -> alerts(other) == 1);
            long started = System.nanoTime();
            jobs.tick();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a whole round of the jobs")
                    .isLessThan(Duration.ofSeconds(5));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
