package dev.meridian.billing;

import static dev.meridian.billing.Api.asKeyOf;
import static dev.meridian.billing.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.meridian.billing.trials.TrialEndings;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trial credits on billing's own clock ({@link MovableClock}): a tenant created on pay-as-you-go (tenancy's
 * {@code tenant.created}, sent to the real broker) gets 10.00 EUR of trial for 30 days, once; its first invoice takes
 * it before anything else and shows it; usage after the trial's end never takes from it; and {@code trial.ending} is
 * announced three days before the end, once.
 */
@QuarkusTest
@TestProfile(TrialsIT.OnBillingsOwnClock.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class TrialsIT {

    /** The movable clock; the scheduled trial check is left to the test (it calls the job itself). */
    public static class OnBillingsOwnClock implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(MovableClock.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.billing.trials.check-interval", "24h");
        }
    }

    /** Sign-up time: the trial ends 30 days later, on the next full hour, 2025-04-09T10:00Z. */
    private static final Instant SIGN_UP = Instant.parse("2025-03-10T09:30:00Z");
    private static final Instant TRIAL_END = Instant.parse("2025-04-09T10:00:00Z");

    private static KafkaProducer<String, String> producer;

    @Inject
    TrialEndings endings;

    @BeforeAll
    static void producer() {
        producer = Api.producer("tenancy"); // as tenancy's outbox publishes
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aNewPayAsYouGoTenantsTrialShowsOnItsFirstInvoiceAndLapsesAtItsEnd() throws Exception {
        MovableClock.set(SIGN_UP);
        UUID first = signUp("payg");
        UUID late = signUp("payg");
        signUp(first, "payg"); // a replay grants nothing more
        UUID enterprise = signUp("enterprise");
        awaitAccount(enterprise);
        assertThat(count("select count(*) from billing.trials where tenant_id = ?", first)).isEqualTo(1);
        assertThat(count("select count(*) from billing.trials where tenant_id = ?", enterprise))
                .as("negotiated plans get no trial").isZero();

        JsonPath plan = asOperator().queryParam("tenant_id", first).get("/api/v1/billing/plan").then()
                .statusCode(200).extract().jsonPath();
        assertThat(plan.getLong("trial.amount_minor")).isEqualTo(1000);
        assertThat(plan.getLong("trial.remaining_minor")).isEqualTo(1000);
        assertThat(plan.getString("trial.currency")).isEqualTo("EUR");
        assertThat(plan.getString("trial.expires_at")).isEqualTo(TRIAL_END.toString());
        assertThat(plan.getString("trial.status")).isEqualTo("active");
        asKeyOf(first, "billing:read").get("/api/v1/billing/plan").then().statusCode(200)
                .body("trial.remaining_minor", org.hamcrest.Matchers.equalTo(1000));

        // March: 30,000 accelerator seconds at 0.05 cent = 15.00 EUR, 19 % VAT: 17.85; the trial pays 10.00 of it
        use(first, Instant.parse("2025-03-15T12:00:00Z"), 30_000);
        // April: 2,000 s (1.00 EUR) before the trial ends, 20,000 s (10.00 EUR) after
        use(late, Instant.parse("2025-04-05T12:00:00Z"), 2_000);
        use(late, Instant.parse("2025-04-20T12:00:00Z"), 20_000);

        MovableClock.set(Instant.parse("2025-04-01T02:00:00Z"));
        JsonPath march = finalize(first, "2025-03");
        assertThat(march.getLong("total_minor")).isEqualTo(1785);
        assertThat(march.getLong("trial_credits_applied_minor")).isEqualTo(1000);
        assertThat(march.getLong("credits_applied_minor")).isZero();
        assertThat(march.getLong("amount_due_minor")).isEqualTo(785);
        asKeyOf(first, "billing:read").get("/api/v1/billing/invoices/{id}.html", march.getString("id")).then()
                .statusCode(200).body(containsString("Trial credit applied"), containsString("-€10.00"),
                        containsString("€7.85"));
        asOperator().queryParam("tenant_id", first).get("/api/v1/billing/plan").then().statusCode(200)
                .body("trial.remaining_minor", org.hamcrest.Matchers.equalTo(0))
                .body("trial.status", org.hamcrest.Matchers.equalTo("used_up"));

        // the trial ends on the 9th: of April's 1.19 + 11.90, it pays only the 1.19 used before, though 10.00 remain
        MovableClock.set(Instant.parse("2025-05-01T02:00:00Z"));
        JsonPath april = finalize(late, "2025-04");
        assertThat(april.getLong("total_minor")).isEqualTo(1309);
        assertThat(april.getLong("trial_credits_applied_minor")).isEqualTo(119);
        assertThat(april.getLong("amount_due_minor")).isEqualTo(1190);
        asOperator().queryParam("tenant_id", late).get("/api/v1/billing/plan").then().statusCode(200)
                .body("trial.remaining_minor", org.hamcrest.Matchers.equalTo(0))
                .body("trial.used_minor", org.hamcrest.Matchers.equalTo(119))
                .body("trial.status", org.hamcrest.Matchers.equalTo("expired"));
    }

    @Test
    void theEndOfATrialIsAnnouncedThreeDaysAheadOnce() throws Exception {
        MovableClock.set(SIGN_UP);
        UUID tenant = signUp("free");
        awaitAccount(tenant);

        MovableClock.set(TRIAL_END.minus(Duration.ofDays(3)).minusSeconds(60));
        endings.announceDue();
        assertThat(announcements(tenant)).as("more than three days ahead").isZero();

        MovableClock.set(TRIAL_END.minus(Duration.ofDays(3)).plusSeconds(60));
        endings.announceDue();
        endings.announceDue();
        assertThat(announcements(tenant)).isEqualTo(1);
        String payload = payload(tenant);
        assertThat(Api.JSON.readTree(payload).path("expires_at").asText()).isEqualTo(TRIAL_END.toString());
        assertThat(Api.JSON.readTree(payload).path("remaining_minor").asLong()).isEqualTo(1000);
        assertThat(Api.JSON.readTree(payload).path("currency").asText()).isEqualTo("EUR");

        MovableClock.set(TRIAL_END.plusSeconds(60));
        endings.announceDue();
        assertThat(announcements(tenant)).isEqualTo(1);
    }

    private static UUID signUp(String plan) throws Exception {
        UUID tenant = UUID.randomUUID();
        signUp(tenant, plan);
        return tenant;
    }

    private static void signUp(UUID tenant, String plan) throws Exception {
        producer.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(), Api.JSON.writeValueAsString(
                TenancyChange.tenantCreated(UUID.randomUUID(), tenant, plan, "eu-central", SIGN_UP)))).get();
        awaitAccount(tenant);
    }

    private static void awaitAccount(UUID tenant) {
        await("billing's account of " + tenant).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> asOperator().queryParam("tenant_id", tenant).get("/api/v1/billing/plan")
                        .statusCode() == 200);
    }

    private static void use(UUID tenant, Instant at, long seconds) throws Exception {
        long before = Api.storedQuantity(tenant, Meter.ACCELERATOR_SECONDS);
        Api.publish(List.of(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.ACCELERATOR_SECONDS,
                seconds, null, null, at, "test")));
        Api.awaitQuantity(tenant, Meter.ACCELERATOR_SECONDS, before + seconds);
    }

    private static JsonPath finalize(UUID tenant, String month) {
        return asOperator().body(Map.of("period", month))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", tenant)
                .then().statusCode(200).extract().jsonPath();
    }

    private static long announcements(UUID tenant) throws SQLException {
        return count("select count(*) from billing.outbox where topic = 'billing.alerts' and message_key = ?"
                + " and payload like '%\"type\":\"trial.ending\"%'", tenant.toString());
    }

    private static String payload(UUID tenant) throws SQLException {
        try (var c = Api.superuser(); var s = c.prepareStatement("select payload from billing.outbox where topic ="
                + " 'billing.alerts' and message_key = ? and payload like '%trial.ending%'")) {
            s.setString(1, tenant.toString());
            var rs = s.executeQuery();
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
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
