package dev.meridian.console.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.console.api.MeridianApi;
import dev.meridian.console.api.PartnerApi;
import dev.meridian.console.api.PartnerApi.Partner;
import dev.meridian.console.api.PartnerApi.PartnerTenant;
import dev.meridian.console.api.PartnerApi.Statement;
import dev.meridian.console.web.PartnerNavigation.Link;
import dev.meridian.console.web.PartnerPages.TenantRow;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The partner pages as the app renders them (templates, messages in both languages, the header), from answers shaped
 * as the partner API gives them. What the API answers a real user is {@code ConsolePartnerIT}'s (infra/system-tests).
 */
@QuarkusTest
@TestProfile(PartnerPagesRenderTest.WithoutSignIn.class)
class PartnerPagesRenderTest {

    /** The pages are rendered without a Keycloak to sign in with: the test's own resource needs none. */
    public static class WithoutSignIn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "false");
        }
    }

    static final UUID PARTNER = UUID.fromString("7d0c5a8e-0000-4000-8000-000000000001");
    static final UUID US_TENANT = UUID.fromString("7d0c5a8e-0000-4000-8000-0000000000a1");
    static final UUID EU_TENANT = UUID.fromString("7d0c5a8e-0000-4000-8000-0000000000b2");
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");

    static final List<MeridianApi.Region> REGIONS = List.of(
            new MeridianApi.Region("eu-central", "EU Central", "EUR", "GDPR"),
            new MeridianApi.Region("us-east", "US East", "USD", "none"));

    static Partner partner(String role) {
        return new Partner(PARTNER, "Globex Integrations", "ops@globex.example", List.of("eu-central", "us-east"),
                "referral", 1500, null, List.of("payg", "subscription"), role);
    }

    static List<TenantRow> rows() {
        return List.of(
                new TenantRow(new PartnerTenant(EU_TENANT, "EU customer", "eu-central", "payg", "active", "admin",
                        "owned"), PartnerUsage.of(new MeridianApi.Usage(NOV, DEC, List.of(
                        new MeridianApi.Figure("requests", null, null, null, 1234, 1234),
                        new MeridianApi.Figure("input_tokens", null, null, null, 56789, 1234))))),
                new TenantRow(new PartnerTenant(US_TENANT, "US customer", "us-east", "subscription", "active",
                        "viewer", "granted"), PartnerUsage.unavailable(
                        "Your role in this tenant may not read its billing.")));
    }

    @AfterEach
    void noPartnerLink() {
        RenderedPage.partnerLink = new Link(false, "/partners");
    }

    @Test
    void aPartnerAdminSeesTheTenantsOfEveryRegionWithTheirUsageAndMayCreateOneInThePartnersRegionsOnly() {
        RenderedPage.partnerLink = new Link(true, "/partners/" + PARTNER);
        Document page = render(() -> PartnerPages.Templates.partner(partner("partner-admin"),
                new Paged<>(rows(), 1, 1, 2), REGIONS, null), "en");

        assertThat(page.select("#partner-area").attr("href")).isEqualTo("/partners/" + PARTNER);
        assertThat(page.select("#partner-programme").text()).contains("Referral", "15.00 % revenue share");
        assertThat(page.select("#partner-regions").text()).isEqualTo("eu-central, us-east");
        assertThat(page.select("#partner-role").text()).isEqualTo("partner-admin");

        var eu = page.select("#tenant-" + EU_TENANT);
        assertThat(eu.select("a[href=/tenants/" + EU_TENANT + "]").text()).isEqualTo("EU customer");
        assertThat(eu.select(".region").text()).isEqualTo("eu-central");
        assertThat(eu.text()).contains("owned", "payg");
        assertThat(eu.select(".usage").text()).isEqualTo("input_tokens 56,789 · requests 1,234");
        var us = page.select("#tenant-" + US_TENANT);
        assertThat(us.select(".region").text()).isEqualTo("us-east");
        assertThat(us.text()).contains("granted access");
        assertThat(us.select(".usage").text()).isEqualTo("not available");
        assertThat(us.select(".usage span").attr("title")).contains("may not read its billing");

        var form = page.select("#partner-tenant-form");
        assertThat(form.attr("action")).isEqualTo("/partners/" + PARTNER + "/tenants");
        assertThat(form.select("input[name=home_region]").eachAttr("value")).containsExactly("eu-central", "us-east");
        assertThat(form.select("select[name=plan] option").eachAttr("value")).containsExactly("payg",
                "subscription");
        assertThat(form.select("input[type=hidden]").attr("value")).as("the CSRF token").isNotBlank();
    }

    @Test
    void theApisRefusalOfANewTenantIsShownAboveTheForm() {
        Document page = render(() -> PartnerPages.Templates.partner(partner("partner-admin"),
                new Paged<>(List.of(), 1, 1, 0), REGIONS,
                "`home_region`: the partner may not sell in cn-north; use one of eu-central, us-east"), "en");

        assertThat(page.select("#partner-tenant-error").text()).contains("may not sell in cn-north");
        assertThat(page.select("#partner-tenants-none").text()).isEqualTo("No customer tenants yet. Create one below.");
    }

    @Test
    void partnerSupportSeesTheTenantsAndMembersButNoFormsToChangeThem() {
        Document overview = render(() -> PartnerPages.Templates.partner(partner("partner-support"),
                new Paged<>(rows(), 1, 1, 2), REGIONS, null), "en");
        assertThat(overview.select("#partner-tenants tbody tr")).hasSize(2);
        assertThat(overview.select("form[method=post]")).isEmpty();

        Document members = render(() -> PartnerPages.Templates.partnerMembers(partner("partner-support"),
                List.of(new PartnerApi.PartnerMember(UUID.randomUUID(), "ada@example.test", "partner-admin", NOV)),
                PartnerApi.ROLES, null), "en");
        assertThat(members.select("#partner-members tbody tr").text()).contains("ada@example.test", "partner-admin");
        assertThat(members.select("form[method=post]")).isEmpty();
    }

    @Test
    void aPartnerAdminAddsMembersWithEitherPartnerRoleAndRemovesThem() {
        UUID member = UUID.randomUUID();
        Document page = render(() -> PartnerPages.Templates.partnerMembers(partner("partner-admin"),
                List.of(new PartnerApi.PartnerMember(member, "bob@example.test", "partner-support", NOV)),
                PartnerApi.ROLES, "No Meridian user has the e-mail eve@example.test; they must sign up first"), "en");

        assertThat(page.select("#partner-member-error").text()).contains("must sign up first");
        assertThat(page.select("#member-role option").eachAttr("value")).containsExactly("partner-admin",
                "partner-support");
        assertThat(page.select("form[action=/partners/" + PARTNER + "/members/" + member + "/remove]")).hasSize(1);
    }

    @Test
    void noStatementsYetReadsAsSuchAndAStatementListsItsAmountAndLinks() {
        Document none = render(() -> PartnerPages.Templates.statements(partner("partner-admin"), List.of(), null),
                "en");
        assertThat(none.select("#statements-none").text()).startsWith("No statements yet");
        assertThat(none.select("#statements")).isEmpty();

        UUID id = UUID.randomUUID();
        var statement = new Statement(id, "MPS-202611-000001", PARTNER, "Globex Integrations", "referral", "final",
                NOV, DEC, "EUR", List.of(new PartnerApi.StatementLine(EU_TENANT, "EU customer", "eu-central",
                List.of(UUID.randomUUID()), 10_000, 0, 1500, 1500)), 10_000, 0, 1500, "payable_to_partner", DEC);
        Document list = render(() -> PartnerPages.Templates.statements(partner("partner-admin"),
                List.of(statement), null), "en");
        var row = list.select("#statement-" + id);
        assertThat(row.text()).contains("MPS-202611-000001", "Nov 1, 2026 – Nov 30, 2026", "€100.00", "€15.00",
                "Payable to you");
        assertThat(row.select("a").eachAttr("href")).contains("/partners/" + PARTNER + "/statements/" + id,
                "/partners/" + PARTNER + "/statements/" + id + ".pdf");

        Document one = render(() -> PartnerPages.Templates.statement(partner("partner-admin"), statement), "en");
        assertThat(one.select("h1").text()).isEqualTo("Statement MPS-202611-000001");
        assertThat(one.select("#statement-lines tbody tr").text()).contains("EU customer", "15.00 %", "€15.00");
        assertThat(one.select("#statement-amount").text()).isEqualTo("€15.00");
    }

    @Test
    void theAuditTrailNamesTheTenantOfEachEvent() {
        var page = new PartnerApi.PartnerAuditPage(List.of(new PartnerApi.PartnerAuditEvent(UUID.randomUUID(),
                US_TENANT, new MeridianApi.Actor("u1", "ada@example.test"), "api_key.created", "api_key", "k1",
                Map.of("partner_id", PARTNER.toString()), DEC)), true, "cursor/1");
        Document audit = render(() -> PartnerPages.Templates.partnerAudit(partner("partner-admin"), page,
                Map.of(US_TENANT, rows().get(1).tenant()), null), "en");

        var row = audit.select("#partner-audit tbody tr");
        assertThat(row.select("a[href=/tenants/" + US_TENANT + "]").text()).isEqualTo("US customer");
        assertThat(row.text()).contains("ada@example.test", "api_key.created");
        assertThat(audit.select("#older").attr("href")).isEqualTo("/partners/" + PARTNER + "/audit?before=cursor%2F1");
    }

    @Test
    void thePagesSpeakChinese() {
        RenderedPage.partnerLink = new Link(true, "/partners/" + PARTNER);
        Document page = render(() -> PartnerPages.Templates.partner(partner("partner-admin"),
                new Paged<>(rows(), 1, 1, 2), REGIONS, null), "zh");
        assertThat(page.select("#partner-area").text()).isEqualTo("合作伙伴");
        assertThat(page.select("h2").eachText()).contains("客户租户", "创建客户租户");
        assertThat(page.select("#partner-programme").text()).contains("15.00% 收入分成");
    }

    @Test
    void theHeaderOffersNoPartnerAreaToSomeoneWhoIsNoPartnersMember() {
        Document page = render(ConsolePages.Templates::notFound, "en");
        assertThat(page.select("#partner-area")).isEmpty();
    }

    private static Document render(Supplier<TemplateInstance> page, String lang) {
        RenderedPage.next = page;
        String html = given().queryParam("lang", lang).get("/test/rendered").then().statusCode(200).extract()
                .asString();
        return Jsoup.parse(html);
    }
}
