package dev.meridian.billing;

import static dev.meridian.billing.Api.asKeyOf;
import static dev.meridian.billing.Api.asOperator;
import static dev.meridian.billing.Api.awaitQuantity;
import static dev.meridian.billing.Api.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Monthly invoices: exact totals across tiers, plans, credits, currencies and tax; final means immutable. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class InvoiceIT {

    /** Usage falls in the month before the current one: closed, so it can be finalized, whatever today is. */
    private static final YearMonth LAST_MONTH = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
    private static final Instant IN_LAST_MONTH = Period.of(LAST_MONTH).start().plus(Duration.ofDays(14))
            .plus(Duration.ofMinutes(10 * 60 + 20));

    private static UsageEvent use(UUID tenant, String region, Meter meter, long quantity) {
        return new UsageEvent(UUID.randomUUID(), tenant, region, meter, quantity, "bge-small-en-v1.5", null,
                IN_LAST_MONTH,
                "test");
    }

    private static JsonPath finalizeLastMonth(UUID tenant) {
        return asOperator().body(Map.of("period", LAST_MONTH.toString()))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", tenant)
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void payAsYouGoInEurosAcrossThreeTiersWithTaxAndCredits() throws Exception {
        UUID tenant = UUID.randomUUID();
        publish(List.of(use(tenant, "eu-central", Meter.INPUT_TOKENS, 4_000_000),
                use(tenant, "eu-central", Meter.INPUT_TOKENS, 8_000_000),
                use(tenant, "eu-central", Meter.REQUESTS, 12_345),
                use(tenant, "eu-central", Meter.EMBEDDED_ITEMS, 5_000)));
        awaitQuantity(tenant, Meter.EMBEDDED_ITEMS, 5_000);
        awaitQuantity(tenant, Meter.INPUT_TOKENS, 12_000_000);
        awaitQuantity(tenant, Meter.REQUESTS, 12_345);
        asOperator().body(Map.of("plan", "payg")).put("/api/v1/billing/admin/tenants/{t}/plan", tenant)
                .then().statusCode(200);
        asOperator().body(Map.of("amount_minor", 10, "reason", "welcome"))
                .post("/api/v1/billing/admin/tenants/{t}/credits", tenant).then().statusCode(201)
                .body("balance_minor", equalTo(10));

        JsonPath invoice = finalizeLastMonth(tenant);
        // tokens: 1M × 2000 + 9M × 1500 + 2M × 1000 nanos = 2 + 13.5→14 + 2 cents; requests 1.2345→1; items 0.1→0
        assertThat(invoice.getList("lines.amount_minor", Long.class)).containsExactly(1L, 2L, 14L, 2L, 0L);
        assertThat(invoice.getList("lines.description", String.class)).containsExactly("requests",
                "input_tokens, tier 1 (up to 1000000 tokens)", "input_tokens, tier 2 (up to 10000000 tokens)",
                "input_tokens, tier 3 (above the last bound)", "embedded_items");
        assertThat(invoice.getLong("subtotal_minor")).isEqualTo(19);
        assertThat(invoice.getLong("tax_minor")).isEqualTo(4); // 19 % of 19 = 3.61
        assertThat(invoice.getLong("total_minor")).isEqualTo(23);
        assertThat(invoice.getLong("credits_applied_minor")).isEqualTo(10);
        assertThat(invoice.getLong("amount_due_minor")).isEqualTo(13);
        assertThat(invoice.getString("currency")).isEqualTo("EUR");
        assertThat(invoice.getString("status")).isEqualTo("final");
        assertThat(invoice.getString("number"))
                .matches("MER-%d%02d-\\d{6}".formatted(LAST_MONTH.getYear(), LAST_MONTH.getMonthValue()));

        // finalizing again answers the same invoice and takes no more credit
        assertThat(finalizeLastMonth(tenant).getString("number")).isEqualTo(invoice.getString("number"));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/plan").then().statusCode(200)
                .body("wallet_balance_minor", equalTo(0)).body("currency", equalTo("EUR"));

        String id = invoice.getString("id");
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}", id).then().statusCode(200)
                .body("total_minor", equalTo(23));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}.html", id).then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString(invoice.getString("number")), containsString("€0.23"));
        byte[] pdf = asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}.pdf", id).then()
                .statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices").then().statusCode(200)
                .body("data.find { it.status == 'final' }.number", equalTo(invoice.getString("number")));

        // a credit note goes to the wallet, never beyond what the invoice totals
        asOperator().body(Map.of("invoice_id", id, "amount_minor", 5, "reason", "outage on the 3rd"))
                .post("/api/v1/billing/admin/tenants/{t}/credit-notes", tenant).then().statusCode(201)
                .body("balance_minor", equalTo(5));
        asOperator().body(Map.of("invoice_id", id, "amount_minor", 19, "reason", "too much"))
                .post("/api/v1/billing/admin/tenants/{t}/credit-notes", tenant).then().statusCode(409)
                .body("detail", containsString("at most 18 more"));

        // immutable even for the database's superuser
        try (var c = Api.superuser(); var s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update billing.invoices set total_minor = 0 where id = '"
                    + id + "'")).hasMessageContaining("immutable");
        }
    }

    @Test
    void theUpcomingInvoiceIsThisMonthsDraftAsJsonHtmlAndPdf() throws Exception {
        UUID tenant = UUID.randomUUID();
        publish(List.of(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 3, "bge-small-en-v1.5",
                null, Instant.now(), "test")));
        awaitQuantity(tenant, Meter.REQUESTS, 3);

        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/upcoming").then().statusCode(200)
                .body("status", equalTo("draft"))
                .body("number", equalTo(null))
                .body("lines.meter", org.hamcrest.Matchers.hasItem("requests"));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/upcoming.html").then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("Draft invoice"), containsString("Status draft"));
        byte[] pdf = asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/upcoming.pdf").then()
                .statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }

    @Test
    void aSubscriptionInDollarsPaysItsFeeAndOnlyTheOverage() throws Exception {
        UUID tenant = UUID.randomUUID();
        publish(List.of(use(tenant, "us-east", Meter.INPUT_TOKENS, 25_000_000),
                use(tenant, "us-east", Meter.REQUESTS, 90_000)));
        awaitQuantity(tenant, Meter.INPUT_TOKENS, 25_000_000);
        awaitQuantity(tenant, Meter.REQUESTS, 90_000);
        asOperator().body(Map.of("plan", "subscription")).put("/api/v1/billing/admin/tenants/{t}/plan", tenant)
                .then().statusCode(200);
        JsonPath invoice = finalizeLastMonth(tenant);
        // fee 49.00; 90k requests included; 10M tokens included, then 1M × 2200 (2.2→2), 9M × 1650 (14.85→15),
        // 5M × 1100 (5.5→6)
        assertThat(invoice.getList("lines.amount_minor", Long.class)).containsExactly(4900L, 0L, 0L, 2L, 15L, 6L);
        assertThat(invoice.getLong("subtotal_minor")).isEqualTo(4923);
        assertThat(invoice.getLong("tax_minor")).isZero();
        assertThat(invoice.getLong("amount_due_minor")).isEqualTo(4923);
        assertThat(invoice.getString("currency")).isEqualTo("USD");
    }

    @Test
    void aTenantOpenedAfterAMonthOwesNoFeeForIt() {
        UUID tenant = UUID.randomUUID();
        asOperator().body(Map.of("plan", "subscription", "region", "us-east"))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        // an operator closes last month, which ended before this tenant existed and in which it used nothing
        JsonPath invoice = finalizeLastMonth(tenant);
        assertThat(invoice.getList("lines")).isEmpty();
        assertThat(invoice.getLong("total_minor")).isZero();
        assertThat(invoice.getString("plan")).isEqualTo("subscription");
    }

    @Test
    void anEnterpriseTenantInYuanPaysItsOwnPrices() throws Exception {
        UUID tenant = UUID.randomUUID();
        publish(List.of(use(tenant, "cn-north", Meter.REQUESTS, 10_000)));
        awaitQuantity(tenant, Meter.REQUESTS, 10_000);
        asOperator().body(Map.of("plan", "enterprise", "custom_prices_nanos", Map.of("requests", 3_333_333)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        JsonPath invoice = finalizeLastMonth(tenant);
        // 10000 × 3333333 nanos = 33.33333 → 33; tax 6 % = 1.98 → 2
        assertThat(invoice.getLong("subtotal_minor")).isEqualTo(33);
        assertThat(invoice.getLong("tax_minor")).isEqualTo(2);
        assertThat(invoice.getLong("total_minor")).isEqualTo(35);
        assertThat(invoice.getString("currency")).isEqualTo("CNY");
    }

    @Test
    void anotherTenantsInvoiceIs404AndAnOpenMonthCannotBeFinalized() throws Exception {
        UUID owner = UUID.randomUUID();
        publish(List.of(use(owner, "eu-central", Meter.REQUESTS, 1)));
        awaitQuantity(owner, Meter.REQUESTS, 1);
        String id = finalizeLastMonth(owner).getString("id");
        UUID other = UUID.randomUUID();
        asKeyOf(other, "billing:read").get("/api/v1/billing/invoices/{id}", id).then().statusCode(404);
        asKeyOf(other, "billing:read").get("/api/v1/billing/invoices/{id}.html", id).then().statusCode(404);
        asKeyOf(other, "billing:read").queryParam("tenant_id", owner.toString()).get("/api/v1/billing/invoices")
                .then().statusCode(404);
        asOperator().body(Map.of("period", YearMonth.now(ZoneOffset.UTC).toString()))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", owner)
                .then().statusCode(409).body("detail", containsString("still open"));
        asOperator().body(Map.of("period", "October")).post("/api/v1/billing/admin/tenants/{t}/invoices/finalize",
                owner).then().statusCode(400).body("detail", containsString("2026-10"));
    }
}
