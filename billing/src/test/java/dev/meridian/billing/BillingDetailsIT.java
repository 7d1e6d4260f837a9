package dev.meridian.billing;

import static dev.meridian.billing.Api.asKeyOf;
import static dev.meridian.billing.Api.asOperator;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Billing details (whom invoices are addressed to, in which language) set by a tenant's owners, admins and billing
 * members, validated whole; and what they do to invoices: EU VAT by the customer's country or reverse charge, and
 * documents in English, German and Chinese.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInTenancy.class, restrictToAnnotatedClass = false)
class BillingDetailsIT {

    private static final YearMonth LAST_MONTH = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
    private static final Instant IN_LAST_MONTH = Period.of(LAST_MONTH).start().plus(Duration.ofDays(14));

    private static Map<String, Object> details(String name, String country, String vatId, String language) {
        Map<String, Object> d = new HashMap<>();
        d.put("legal_name", name);
        d.put("address_lines", List.of("12 rue de la Paix"));
        d.put("postal_code", "75002");
        d.put("city", "Paris");
        d.put("country", country);
        d.put("vat_id", vatId);
        d.put("language", language);
        return d;
    }

    /** A tenant with an account in eu-central and 1.00 EUR of usage last month (2,000 accelerator seconds). */
    private static UUID tenantWithUsageLastMonth() throws Exception {
        UUID tenant = UUID.randomUUID();
        Api.publish(List.of(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.ACCELERATOR_SECONDS, 2_000,
                null, null, IN_LAST_MONTH, "test")));
        Api.awaitQuantity(tenant, Meter.ACCELERATOR_SECONDS, 2_000);
        return tenant;
    }

    private static RequestSpecification as(String token, UUID tenant) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).queryParam("tenant_id", tenant.toString());
    }

    @Test
    void anErasedTenantsDetailsKeepOnlyWhatTaxNeedsUnderAPseudonym() throws Exception {
        UUID tenant = tenantWithUsageLastMonth();
        String owner = TestStack.get().newUser().accessToken();
        StandInTenancy.member(StandInTenancy.subjectOf(owner), tenant.toString(), "owner");
        as(owner, tenant).body(details("Jean Dupont EI", "FR", "FR40303265045", "de"))
                .put("/api/v1/billing/details").then().statusCode(200);

        try (var tenancy = Api.producer("tenancy")) {
            var erased = new TenancyChange(UUID.randomUUID(), TenancyChange.TENANT_ERASED, tenant, null, null, null,
                    null, Instant.now());
            for (int i = 0; i < 2; i++) { // a redelivery changes nothing more
                tenancy.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(),
                        Api.JSON.writeValueAsString(erased))).get();
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> asKeyOf(tenant, "billing:read")
                .get("/api/v1/billing/details").then().statusCode(200)
                .body("legal_name", equalTo("Erased customer " + tenant)));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/details").then().statusCode(200)
                .body("address_lines", hasSize(0)).body("postal_code", nullValue()).body("city", nullValue())
                .body("vat_id", nullValue()).body("country", equalTo("FR")).body("language", equalTo("de"));
    }

    @Test
    void billingMembersSetTheDetailsAndBadInputChangesNothing() throws Exception {
        UUID tenant = tenantWithUsageLastMonth();
        String billing = TestStack.get().newUser().accessToken();
        String developer = TestStack.get().newUser().accessToken();
        StandInTenancy.member(StandInTenancy.subjectOf(billing), tenant.toString(), "billing");
        StandInTenancy.member(StandInTenancy.subjectOf(developer), tenant.toString(), "developer");

        as(billing, tenant).get("/api/v1/billing/details").then().statusCode(404)
                .body("detail", containsString("PUT /api/v1/billing/details"));
        as(billing, tenant).body(details("Acme SAS", "fr", "fr 40 303 265 045", "de"))
                .put("/api/v1/billing/details").then().statusCode(200)
                .body("country", equalTo("FR")).body("vat_id", equalTo("FR40303265045"))
                .body("language", equalTo("de")).body("tax.rate_bp", equalTo(0))
                .body("tax.reverse_charge", equalTo(true));

        as(developer, tenant).body(details("Evil", "DE", null, "en")).put("/api/v1/billing/details").then()
                .statusCode(403).body("detail", containsString("owner, admin or billing"));
        asKeyOf(tenant, "billing:read").body(details("Evil", "DE", null, "en")).put("/api/v1/billing/details")
                .then().statusCode(403);
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/details").then().statusCode(200)
                .body("legal_name", equalTo("Acme SAS"));

        Map<String, Object> unknownCountry = details("Acme", "XX", null, "en");
        Map<String, Object> wrongVat = details("Acme", "DE", "DE12345", "en");
        Map<String, Object> vatOfAnotherCountry = details("Acme", "DE", "FR40303265045", "en");
        Map<String, Object> french = details("Acme", "FR", null, "fr");
        Map<String, Object> noName = details(" ", "FR", null, "en");
        Map<String, Object> fourLines = details("Acme", "FR", null, "en");
        fourLines.put("address_lines", List.of("a", "b", "c", "d"));
        Map<String, Object> unknownField = details("Acme", "FR", null, "en");
        unknownField.put("tax_rate_bp", 0);
        for (var bad : List.of(List.of(unknownCountry, "country", "ISO 3166-1 alpha-2"),
                List.of(wrongVat, "vat_id", "DE123456789"), List.of(vatOfAnotherCountry, "vat_id", "of DE"),
                List.of(french, "language", "en, zh, de"), List.of(noName, "legal_name", "required"),
                List.of(fourLines, "address_lines", "at most 3"), List.of(unknownField, "", "tax_rate_bp"))) {
            as(billing, tenant).body(bad.get(0)).put("/api/v1/billing/details").then().statusCode(400)
                    .body("detail", allOf(containsString((String) bad.get(1)), containsString((String) bad.get(2))));
        }
        as(billing, tenant).get("/api/v1/billing/details").then().statusCode(200)
                .body("legal_name", equalTo("Acme SAS")).body("language", equalTo("de"));
    }

    @Test
    void aBusinessInAnotherMemberStateIsReverseChargedInItsLanguage() throws Exception {
        UUID tenant = tenantWithUsageLastMonth();
        asOperator().queryParam("tenant_id", tenant.toString())
                .body(details("Acme SAS", "FR", "FR40303265045", "de")).put("/api/v1/billing/details").then()
                .statusCode(200);
        JsonPath invoice = finalizeLastMonth(tenant);
        assertThat(invoice.getInt("tax_rate_bp")).isZero();
        assertThat(invoice.getBoolean("reverse_charge")).isTrue();
        assertThat(invoice.getString("tax_country")).isEqualTo("FR");
        assertThat(invoice.getLong("total_minor")).isEqualTo(100);
        assertThat(invoice.getString("bill_to.legal_name")).isEqualTo("Acme SAS");
        assertThat(invoice.getString("bill_to.vat_id")).isEqualTo("FR40303265045");
        String id = invoice.getString("id");

        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}.html", id).then().statusCode(200)
                .body(containsString("<html lang=\"de\">"), containsString("Rechnung " + invoice.getString("number")),
                        containsString("Frankreich"), containsString("1,00\u00a0€"),
                        containsString("Artikel 196 der Richtlinie 2006/112/EG"));
        asKeyOf(tenant, "billing:read").queryParam("lang", "en").get("/api/v1/billing/invoices/{id}.html", id).then()
                .statusCode(200).body(containsString("Reverse charge: VAT to be accounted for by the recipient"),
                        containsString("€1.00"));
        String zh = pdfText(asKeyOf(tenant, "billing:read").queryParam("lang", "zh")
                .get("/api/v1/billing/invoices/{id}.pdf", id).then().statusCode(200).extract().asByteArray());
        assertThat(zh).contains("发票 " + invoice.getString("number"), "反向征收", "€1.00", "法国");
        asKeyOf(tenant, "billing:read").queryParam("lang", "fr").get("/api/v1/billing/invoices/{id}.pdf", id).then()
                .statusCode(400).body("detail", containsString("en, zh, de"));

        // a credit note on it reads in the same language, addressed as the invoice was
        String note = asOperator().body(Map.of("invoice_id", id, "amount_minor", 50, "reason", "Ausfall am 3."))
                .post("/api/v1/billing/admin/tenants/{t}/credit-notes", tenant).then().statusCode(201)
                .body("number", org.hamcrest.Matchers.startsWith("MER-CN-")).extract().path("id");
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/credit-notes").then().statusCode(200)
                .body("data[0].id", equalTo(note))
                .body("data[0].invoice_number", equalTo(invoice.getString("number")));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/credit-notes/{id}.html", note).then().statusCode(200)
                .body(containsString("Gutschrift MER-CN-"), containsString("Zur Rechnung " + invoice.getString("number")),
                        containsString("0,50\u00a0€"), containsString("Acme SAS"));
        assertThat(pdfText(asKeyOf(tenant, "billing:read").queryParam("lang", "zh")
                .get("/api/v1/billing/credit-notes/{id}.pdf", note).then().statusCode(200).extract().asByteArray()))
                .contains("贷项通知单", "€0.50");
        UUID stranger = UUID.randomUUID();
        asKeyOf(stranger, "billing:read").get("/api/v1/billing/credit-notes/{id}.html", note).then().statusCode(404);

        // the issued invoice keeps whom it was addressed to and its tax, whatever the details say later
        asOperator().queryParam("tenant_id", tenant.toString()).body(details("Acme GmbH", "DE", null, "en"))
                .put("/api/v1/billing/details").then().statusCode(200).body("tax.rate_bp", equalTo(1900));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}", id).then().statusCode(200)
                .body("bill_to.legal_name", equalTo("Acme SAS")).body("reverse_charge", equalTo(true));
    }

    @Test
    void aConsumerInAnotherMemberStatePaysItsCountrysVatInChinese() throws Exception {
        UUID tenant = tenantWithUsageLastMonth();
        asOperator().queryParam("tenant_id", tenant.toString()).body(details("Kovács Anna", "HU", null, "zh"))
                .put("/api/v1/billing/details").then().statusCode(200).body("tax.rate_bp", equalTo(2700))
                .body("tax.reverse_charge", equalTo(false));
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/upcoming").then().statusCode(200)
                .body("tax_rate_bp", equalTo(2700)).body("tax_country", equalTo("HU"));
        JsonPath invoice = finalizeLastMonth(tenant);
        assertThat(invoice.getLong("tax_minor")).isEqualTo(27);
        assertThat(invoice.getLong("total_minor")).isEqualTo(127);
        String id = invoice.getString("id");
        asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}.html", id).then().statusCode(200)
                .body(containsString("<html lang=\"zh\">"), containsString("增值税 匈牙利（27%）"),
                        containsString("€1.27"), containsString("加速器秒数"));
        String pdf = pdfText(asKeyOf(tenant, "billing:read").get("/api/v1/billing/invoices/{id}.pdf", id).then()
                .statusCode(200).extract().asByteArray());
        assertThat(pdf).contains("应付金额", "€1.27", "Kovács Anna");
    }

    private static JsonPath finalizeLastMonth(UUID tenant) {
        return asOperator().body(Map.of("period", LAST_MONTH.toString()))
                .post("/api/v1/billing/admin/tenants/{t}/invoices/finalize", tenant)
                .then().statusCode(200).extract().jsonPath();
    }

    private static String pdfText(byte[] pdf) throws Exception {
        PdfReader reader = new PdfReader(pdf);
        StringBuilder text = new StringBuilder();
        for (int page = 1; page <= reader.getNumberOfPages(); page++) {
            text.append(new PdfTextExtractor(reader).getTextFromPage(page)).append('\n');
        }
        return text.toString();
    }
}
