package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.superuser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.billing.jobs.BillingJobs;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the dev switch off, as in production, budget-alert webhooks go only to https URLs on public addresses: an
 * internal target is refused when it is registered, and a stored one is refused again when a call is due, before any
 * connection is made.
 */
@QuarkusTest
@TestProfile(WebhookTargetsIT.AsInProduction.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class WebhookTargetsIT {

    public static class AsInProduction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.billing.webhooks.allow-http-and-loopback", "false");
        }
    }

    @Inject
    BillingJobs jobs;

    private static UUID tenant() {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "payg", "region", "eu-central"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        return tenant;
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1/hooks", "https://169.254.169.254/latest/meta-data/", "https://localhost:8443/hooks",
            "https://[::1]/hooks", "https://[::ffff:169.254.169.254]/", "https://10.0.0.1/hooks",
            "https://100.100.100.200/", "https://[fe80::1]/", "https://2130706433/hooks", "https://0.0.0.0/"})
    void registeringAnInternalOrPlainHttpTargetIsRefusedWithTheReason(String url) {
        UUID tenant = tenant();
        asOperator().queryParam("tenant_id", tenant.toString())
                .body(Map.of("soft_budget_minor", 100, "webhook_url", url))
                .put("/api/v1/billing/budgets").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("webhook_url"))
                .body("detail", containsString(url.startsWith("http:") ? "not an https URL"
                        : url.contains("2130706433") ? "ambiguous IPv4" : "public addresses"));
        // nothing was stored: not the budget, not the URL
        asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/budgets").then()
                .statusCode(200).body("webhook_url", nullValue()).body("tenant.soft_budget_minor", nullValue());
    }

    @Test
    void theMetadataAddressIsNamedInTheRefusal() {
        asOperator().queryParam("tenant_id", tenant().toString())
                .body(Map.of("webhook_url", "https://169.254.169.254/latest/meta-data/"))
                .put("/api/v1/billing/budgets").then().statusCode(400)
                .body("detail", containsString("169.254.169.254"))
                .body("detail", containsString("link-local"));
    }

    @Test
    void aStoredInternalTargetIsRefusedWhenTheCallIsDueAndNothingIsSent() throws Exception {
        // counts connections: without the check at send time, the call below would connect here
        AtomicInteger connections = new AtomicInteger();
        ServerSocket receiver = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!receiver.isClosed()) {
                try (Socket accepted = receiver.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        try {
            // stored as an older release, or a tenant whose name resolved elsewhere at registration, would have
            UUID tenant = tenant();
            String url = "https://127.0.0.1:" + receiver.getLocalPort() + "/hooks";
            UUID delivery = UUID.randomUUID();
            try (var c = superuser()) {
                var s = c.prepareStatement("update billing.accounts set webhook_url = ?, webhook_secret = 'whsec_x'"
                        + " where tenant_id = ?");
                s.setString(1, url);
                s.setObject(2, tenant);
                s.executeUpdate();
                s = c.prepareStatement("insert into billing.webhook_deliveries (id, tenant_id, url, payload,"
                        + " next_attempt_at, created_at) values (?, ?, ?, '{}', now(), now())");
                s.setObject(1, delivery);
                s.setObject(2, tenant);
                s.setString(3, url);
                s.executeUpdate();
            }
            jobs.tick();
            await("the due call to be refused and given up").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100)).until(() -> lastError(delivery) != null);
            assertThat(lastError(delivery)).contains("refused target").contains("loopback");
            try (var c = superuser(); var s = c.prepareStatement("select attempts, next_attempt_at = 'infinity',"
                    + " delivered_at is null from billing.webhook_deliveries where id = ?")) {
                s.setObject(1, delivery);
                var rs = s.executeQuery();
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getBoolean(2)).as("given up at once").isTrue();
                assertThat(rs.getBoolean(3)).isTrue();
            }
            assertThat(connections.get()).as("connections made").isZero();
        } finally {
            receiver.close();
        }
    }

    private static String lastError(UUID delivery) throws Exception {
        try (var c = superuser(); var s = c.prepareStatement("select last_error from billing.webhook_deliveries"
                + " where id = ?")) {
            s.setObject(1, delivery);
            var rs = s.executeQuery();
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
