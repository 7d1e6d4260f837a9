package dev.meridian.billing;

import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Partner statements over two months on billing's own clock ({@link MovableClock}): February 2025's usage of a referral
 * partner's and a reseller's owned tenants in two currencies each, credit notes issued in March, closed by the period
 * job and by operators; read by the partner, as JSON, HTML and PDF. Tenancy's partner directory and its answers on who
 * may act for a partner are {@link StandInTenancy}'s.
 */
@QuarkusTest
@TestProfile(PartnerStatementsIT.OnBillingsOwnClock.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInTenancy.class, restrictToAnnotatedClass = false)
class PartnerStatementsIT {

    /** The movable clock, and the period job closing a month an hour after it ends. */
    public static class OnBillingsOwnClock implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(MovableClock.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.billing.invoices.finalize-grace", "1h");
        }
    }

    private static final YearMonth FEB = YearMonth.of(2025, 2);
    private static final YearMonth MAR = YearMonth.of(2025, 3);
    private static final Instant IN_FEB = Instant.parse("2025-02-14T10:20:00Z");

    /** Who and what the tests share, built once (the clock moves forward only). */
    private record World(UUID referral, UUID reseller, UUID a, UUID b, UUID c, UUID e, UUID delegated,
            String credential, String partnerAdmin, String partnerSupport, String stranger) {
    }

    private static World world;

    private static synchronized World world() throws Exception {
        if (world != null) {
            return world;
        }
        // half an hour into February: January is over, but the period job waits an hour before it closes a month
        MovableClock.set(Instant.parse("2025-02-01T00:30:00Z"));
        UUID referral = UUID.randomUUID();
        UUID reseller = UUID.randomUUID();
        UUID a = UUID.randomUUID(); // referral, eu-central, payg
        UUID b = UUID.randomUUID(); // referral, us-east, subscription
        UUID c = UUID.randomUUID(); // reseller, eu-central, payg
        UUID e = UUID.randomUUID(); // reseller, cn-north, payg
        UUID delegated = UUID.randomUUID(); // granted the referral partner access, but not owned by it
        plan(a, "payg", "eu-central");
        plan(b, "subscription", "us-east");
        plan(c, "payg", "eu-central");
        plan(e, "payg", "cn-north");
        plan(delegated, "payg", "eu-central");
        publish(List.of(use(a, "eu-central", Meter.REQUESTS, 1_250_000),
                use(a, "eu-central", Meter.EMBEDDED_ITEMS, 1_000_000),
                use(b, "us-east", Meter.REQUESTS, 90_000),
                use(c, "eu-central", Meter.REQUESTS, 1_000_000),
                use(e, "cn-north", Meter.REQUESTS, 1_234_567),
                use(delegated, "eu-central", Meter.REQUESTS, 1_000_000)));
        awaitQuantity(a, Meter.REQUESTS, 1_250_000);
        awaitQuantity(a, Meter.EMBEDDED_ITEMS, 1_000_000);
        awaitQuantity(b, Meter.REQUESTS, 90_000);
        awaitQuantity(c, Meter.REQUESTS, 1_000_000);
        awaitQuantity(e, Meter.REQUESTS, 1_234_567);
        awaitQuantity(delegated, Meter.REQUESTS, 1_000_000);

        StandInTenancy.partner(referral.toString(), Map.of("id", referral.toString(), "name", "Referral & Co",
                "programme", "referral", "share_bp", 1000, "share_bp_by_plan", Map.of("subscription", 2000),
                "share_bp_by_meter", Map.of("embedded_items", 5000), "plans", List.of("payg", "subscription"),
                "tenants", List.of(owned(a, "Alpha", "eu-central"), owned(b, "Beta", "us-east"))));
        StandInTenancy.partner(reseller.toString(), Map.of("id", reseller.toString(), "name", "Reseller Ltd",
                "programme", "reseller", "discount_bp", 2000, "plans", List.of("payg"),
                "tenants", List.of(owned(c, "Gamma", "eu-central"), owned(e, "Epsilon", "cn-north"))));
        String credential = TestStack.get().serviceToken("meridian-partner");
        String partnerAdmin = TestStack.get().newUser().accessToken();
        String partnerSupport = TestStack.get().newUser().accessToken();
        String stranger = TestStack.get().newUser().accessToken();
        StandInTenancy.actsFor(credential, referral.toString(), null);
        StandInTenancy.actsFor(partnerAdmin, referral.toString(), "partner-admin");
        StandInTenancy.actsFor(partnerSupport, referral.toString(), "partner-support");
        // tenancy answers a partner credential on a tenant it owns as an admin; on a delegated one per the grant
        StandInTenancy.member(StandInTenancy.subjectOf(credential), a.toString(), "admin");

        // February is over: the period job finalizes its invoices and closes the partners' statements an hour later
        MovableClock.set(Instant.parse("2025-03-02T08:00:00Z"));
        world = new World(referral, reseller, a, b, c, e, delegated, credential, partnerAdmin, partnerSupport,
                stranger);
        awaitStatements(reseller, FEB, 2);
        awaitStatements(referral, FEB, 2);

        // credit notes issued in March on February's invoices count in March's statements
        creditNote(a, 30);
        creditNote(c, 50);
        MovableClock.set(Instant.parse("2025-04-01T02:00:00Z"));
        awaitStatements(reseller, MAR, 2);
        awaitStatements(referral, MAR, 2);
        return world;
    }

    private static Map<String, Object> owned(UUID tenant, String name, String region) {
        return Map.of("id", tenant.toString(), "name", name, "home_region", region);
    }

    private static UsageEvent use(UUID tenant, String region, Meter meter, long quantity) {
        return new UsageEvent(UUID.randomUUID(), tenant, region, meter, quantity, null, null, IN_FEB, "test");
    }

    private static void plan(UUID tenant, String plan, String region) {
        asOperator().body(Map.of("plan", plan, "region", region)).put("/api/v1/billing/admin/tenants/{t}/plan", tenant)
                .then().statusCode(200);
    }

    private static void creditNote(UUID tenant, long amount) {
        String invoice = asOperator().queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/invoices")
                .then().statusCode(200).extract().jsonPath()
                .getString("data.find { it.status == 'final' && it.period_start == '2025-02-01T00:00:00Z' }.id");
        asOperator().body(Map.of("invoice_id", invoice, "amount_minor", amount, "reason", "outage"))
                .post("/api/v1/billing/admin/tenants/{t}/credit-notes", tenant).then().statusCode(201);
    }

    private static void awaitStatements(UUID partner, YearMonth month, int count) {
        await("the period job to close partner " + partner + "'s statements of " + month)
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> statements(asOperator(), partner, month).getList("data").size() == count);
    }

    private static JsonPath statements(RequestSpecification as, UUID partner, YearMonth month) {
        return as.queryParam("period", month.toString()).get("/api/v1/partners/{p}/statements", partner).then()
                .statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    @Test
    void aReferralPartnerIsOwedItsShareOnePerCurrencyByMeterPlanAndDefaultRate() throws Exception {
        World w = world();
        JsonPath feb = statements(as(w.credential()), w.referral(), FEB);
        assertThat(feb.getList("data.currency", String.class)).containsExactly("EUR", "USD");
        assertThat(feb.getList("data.object", String.class)).containsOnly("partner.statement");
        assertThat(feb.getList("data.status", String.class)).containsOnly("final");
        assertThat(feb.getList("data.programme", String.class)).containsOnly("referral");
        assertThat(feb.getList("data.amount_direction", String.class)).containsOnly("payable_to_partner");
        assertThat(feb.getString("data[0].partner_name")).isEqualTo("Referral & Co");
        assertThat(feb.getString("data[0].period_start")).isEqualTo("2025-02-01T00:00:00Z");
        assertThat(feb.getString("data[0].period_end")).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(feb.getString("data[0].number")).matches("PST-202502-\\d{6}");
        // EUR: only Alpha (the delegated tenant is not the partner's). Requests 125.00 cents at the default 10 %:
        // 12.5 → 12 (half even); embedded items 20 cents at the meter's 50 %: 10
        assertThat(feb.getList("data[0].lines.tenant_id", String.class)).containsExactly(w.a().toString());
        assertThat(feb.getString("data[0].lines[0].tenant_name")).isEqualTo("Alpha");
        assertThat(feb.getString("data[0].lines[0].home_region")).isEqualTo("eu-central");
        assertThat(feb.getList("data[0].lines[0].invoice_ids")).hasSize(1);
        assertThat(feb.getLong("data[0].lines[0].net_invoiced_minor")).isEqualTo(145);
        assertThat(feb.getLong("data[0].lines[0].credit_notes_minor")).isZero();
        assertThat(feb.getInt("data[0].lines[0].rate_bp")).isEqualTo(1000);
        assertThat(feb.getLong("data[0].lines[0].amount_minor")).isEqualTo(22);
        assertThat(feb.getLong("data[0].net_invoiced_minor")).isEqualTo(145);
        assertThat(feb.getLong("data[0].amount_minor")).isEqualTo(22);
        // USD: Beta's subscription fee 49.00 at the plan's 20 % (its requests are included, 0)
        assertThat(feb.getList("data[1].lines.tenant_id", String.class)).containsExactly(w.b().toString());
        assertThat(feb.getInt("data[1].lines[0].rate_bp")).isEqualTo(2000);
        assertThat(feb.getLong("data[1].net_invoiced_minor")).isEqualTo(4900);
        assertThat(feb.getLong("data[1].amount_minor")).isEqualTo(980);
        assertThat(feb.getString("data[0].lines[0].invoice_ids[0]")).isEqualTo(asOperator()
                .queryParam("tenant_id", w.a().toString()).get("/api/v1/billing/invoices").then().extract().jsonPath()
                .getString("data.find { it.period_start == '2025-02-01T00:00:00Z' }.id"));
    }

    @Test
    void aResellerOwesTheWholesalePriceOnePerCurrencyClosedByThePeriodJob() throws Exception {
        World w = world();
        JsonPath feb = statements(asOperator(), w.reseller(), FEB);
        assertThat(feb.getList("data.currency", String.class)).containsExactly("CNY", "EUR");
        assertThat(feb.getList("data.amount_direction", String.class)).containsOnly("receivable_from_partner");
        // CNY: 1,234,567 requests at 0.0008 fen = 987.65 → 988; less 20 %: 790.4 → 790
        assertThat(feb.getList("data[0].lines.tenant_id", String.class)).containsExactly(w.e().toString());
        assertThat(feb.getInt("data[0].lines[0].rate_bp")).isEqualTo(8000);
        assertThat(feb.getLong("data[0].net_invoiced_minor")).isEqualTo(988);
        assertThat(feb.getLong("data[0].amount_minor")).isEqualTo(790);
        // EUR: 100 cents, less 20 %
        assertThat(feb.getList("data[1].lines.tenant_id", String.class)).containsExactly(w.c().toString());
        assertThat(feb.getLong("data[1].net_invoiced_minor")).isEqualTo(100);
        assertThat(feb.getLong("data[1].amount_minor")).isEqualTo(80);
    }

    @Test
    void aCreditNoteCountsInTheStatementOfThePeriodItIsIssuedIn() throws Exception {
        World w = world();
        JsonPath referral = statements(as(w.partnerAdmin()), w.referral(), MAR);
        // Alpha's March invoice is empty; the 0.30 credit note on February's takes back 10 % of it
        assertThat(referral.getString("data[0].currency")).isEqualTo("EUR");
        assertThat(referral.getLong("data[0].lines[0].net_invoiced_minor")).isZero();
        assertThat(referral.getLong("data[0].lines[0].credit_notes_minor")).isEqualTo(30);
        assertThat(referral.getLong("data[0].lines[0].amount_minor")).isEqualTo(-3);
        assertThat(referral.getLong("data[0].credit_notes_minor")).isEqualTo(30);
        assertThat(referral.getLong("data[0].amount_minor")).isEqualTo(-3);
        assertThat(referral.getLong("data[1].amount_minor")).isEqualTo(980); // Beta's March fee
        JsonPath reseller = statements(asOperator(), w.reseller(), MAR);
        assertThat(reseller.getString("data[1].currency")).isEqualTo("EUR");
        assertThat(reseller.getLong("data[1].lines[0].credit_notes_minor")).isEqualTo(50);
        assertThat(reseller.getLong("data[1].amount_minor")).isEqualTo(-40); // (0 − 50) × 80 %
        // February's statements, final before the credit notes, are as they were
        assertThat(statements(asOperator(), w.referral(), FEB).getLong("data[0].credit_notes_minor")).isZero();
    }

    @Test
    void closingAgainAnswersTheSameStatementsAndTheDatabaseRefusesChanges() throws Exception {
        World w = world();
        JsonPath before = statements(asOperator(), w.referral(), FEB);
        for (int i = 0; i < 2; i++) {
            JsonPath closed = asOperator().body(Map.of("period", FEB.toString()))
                    .post("/api/v1/billing/admin/partners/{p}/statements/close", w.referral()).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(closed.getList("data.id")).isEqualTo(before.getList("data.id"));
            assertThat(closed.getList("data.number")).isEqualTo(before.getList("data.number"));
            assertThat(closed.getList("data.amount_minor")).isEqualTo(before.getList("data.amount_minor"));
        }
        assertThat(given().auth().oauth2(w.credential()).get("/api/v1/partners/{p}/statements", w.referral()).then()
                .statusCode(200).extract().jsonPath().getList("data.period_start", String.class))
                .containsExactly("2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z", "2025-02-01T00:00:00Z",
                        "2025-02-01T00:00:00Z");
        String id = before.getString("data[0].id");
        try (var c = Api.superuser(); var s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update billing.partner_statements set amount_minor = 0"
                    + " where id = '" + id + "'")).hasMessageContaining("immutable");
            assertThatThrownBy(() -> s.executeUpdate("delete from billing.partner_statement_lines"
                    + " where statement_id = '" + id + "'")).hasMessageContaining("immutable");
        }
        asOperator().body(Map.of("period", "April")).post("/api/v1/billing/admin/partners/{p}/statements/close",
                w.referral()).then().statusCode(400).body("detail", containsString("2026-11"));
        asOperator().body(Map.of("period", "2025-04")).post("/api/v1/billing/admin/partners/{p}/statements/close",
                w.referral()).then().statusCode(409).body("detail", containsString("still open"));
        given().auth().oauth2(w.credential()).contentType(ContentType.JSON).body(Map.of("period", "2025-02"))
                .post("/api/v1/billing/admin/partners/{p}/statements/close", w.referral()).then().statusCode(403);
    }

    @Test
    void aPartnerReadsItsStatementsAsHtmlAndPdfAndNobodyElsesAre() throws Exception {
        World w = world();
        JsonPath feb = statements(as(w.credential()), w.referral(), FEB);
        String id = feb.getString("data[0].id");
        as(w.credential()).get("/api/v1/partners/{p}/statements/{id}", w.referral(), id).then().statusCode(200)
                .body("number", equalTo(feb.getString("data[0].number"))).body("amount_minor", equalTo(22));
        as(w.credential()).get("/api/v1/partners/{p}/statements/{id}.html", w.referral(), id).then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("Partner statement " + feb.getString("data[0].number")),
                        containsString("Referral &amp; Co"), containsString("0.22 EUR"),
                        containsString("Payable to the partner"));
        byte[] pdf = as(w.credential()).get("/api/v1/partners/{p}/statements/{id}.pdf", w.referral(), id).then()
                .statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");

        String resellers = statements(asOperator(), w.reseller(), FEB).getString("data[0].id");
        // another partner's statement, through this partner's path or the other's
        as(w.credential()).get("/api/v1/partners/{p}/statements/{id}", w.referral(), resellers).then()
                .statusCode(404);
        as(w.credential()).get("/api/v1/partners/{p}/statements/{id}.pdf", w.reseller(), resellers).then()
                .statusCode(404).body("detail", containsString("No partner " + w.reseller() + " that you may act"));
        as(w.stranger()).get("/api/v1/partners/{p}/statements", w.referral()).then().statusCode(404);
        given().get("/api/v1/partners/{p}/statements", w.referral()).then().statusCode(401);
        as(w.credential()).queryParam("period", "Feb").get("/api/v1/partners/{p}/statements", w.referral()).then()
                .statusCode(400).body("detail", containsString("period"));
    }

    @Test
    void aPartnerPutsItsOwnTenantsOnPlansOfItsPriceListOnly() throws Exception {
        World w = world();
        as(w.credential()).body(Map.of("plan", "subscription"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.a()).then().statusCode(200)
                .body("plan", equalTo("subscription")).body("region", equalTo("eu-central"))
                .body("tenant_id", equalTo(w.a().toString()));
        List<PlanChange> changes = Api.planChanges(w.a(), 2, Duration.ofSeconds(20));
        assertThat(changes.getLast().plan()).isEqualTo("subscription"); // published, as an operator's change is
        as(w.partnerAdmin()).body(Map.of("plan", "payg"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.a()).then().statusCode(200)
                .body("plan", equalTo("payg"));
        as(w.credential()).body(Map.of("plan", "enterprise"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.a()).then().statusCode(400)
                .body("detail", containsString("payg, subscription"));
        as(w.credential()).body(Map.of("plan", "payg"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.delegated()).then().statusCode(404)
                .body("detail", containsString("owned by partner"));
        as(w.partnerSupport()).body(Map.of("plan", "payg"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.a()).then().statusCode(403)
                .body("detail", containsString("partner-support"));
        as(w.stranger()).body(Map.of("plan", "payg"))
                .put("/api/v1/partners/{p}/tenants/{t}/plan", w.referral(), w.a()).then().statusCode(404);
        asOperator().queryParam("tenant_id", w.a().toString()).get("/api/v1/billing/plan").then().statusCode(200)
                .body("plan", equalTo("payg"));
    }

    @Test
    void aPartnerCredentialReadsAndBudgetsItsOwnedTenantsBillingAndNoOtherTenants() throws Exception {
        World w = world();
        as(w.credential()).queryParam("tenant_id", w.a().toString()).get("/api/v1/billing/usage").then()
                .statusCode(200);
        as(w.credential()).queryParam("tenant_id", w.a().toString()).get("/api/v1/billing/invoices").then()
                .statusCode(200).body("data.find { it.period_start == '2025-02-01T00:00:00Z' }.subtotal_minor",
                        equalTo(145));
        as(w.credential()).queryParam("tenant_id", w.a().toString()).body(Map.of("soft_budget_minor", 5000))
                .put("/api/v1/billing/budgets").then().statusCode(200);
        as(w.credential()).queryParam("tenant_id", w.c().toString()).get("/api/v1/billing/invoices").then()
                .statusCode(404);
        as(w.credential()).queryParam("tenant_id", w.delegated().toString()).get("/api/v1/billing/usage").then()
                .statusCode(404);
    }
}
