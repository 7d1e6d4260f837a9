package dev.meridian.systemtests;

import static dev.meridian.systemtests.ConsoleBrowser.shot;
import static dev.meridian.systemtests.ConsoleBrowser.signIn;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's partner area in a real browser (Debian's chromium driven by Playwright) against the whole platform:
 * a partner-admin creates customer tenants in two regions, works in one of them through its ordinary pages, reads
 * their usage, the partner's statements and audit trail and manages its members; partner-support sees the tenants but
 * may change nothing, and someone who is no partner's member (any more) is offered no partner area and gets the
 * not-found page at its address. Pages are saved under
 * {@code target/console-screenshots/} for docs/console.md.
 */
class ConsolePartnerIT {

    static ConsoleBrowser browser;

    @BeforeAll
    static void launchChromium() {
        browser = ConsoleBrowser.launch();
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aPartnerAdminRunsCustomerTenantsInTwoRegionsAndAnyoneElseFindsNoPartnerArea() {
        String partner = operator().body(Map.of("name", "Globex Integrations", "contact_email", "ops@globex.example",
                        "regions", List.of("eu-central", "us-east"), "programme", "referral", "share_bp", 1500,
                        "plans", List.of("payg", "subscription")))
                .post("/api/v1/partners").then().statusCode(201).extract().path("id");
        var admin = ConsoleUser.signUp();
        var support = ConsoleUser.signUp();
        operator().body(Map.of("email", admin.email(), "role", "partner-admin"))
                .post("/api/v1/partners/{p}/members", partner).then().statusCode(201);
        String partnerUrl = ConsoleBrowser.consoleUrl() + "/partners/" + partner;

        try (BrowserContext context = browser.newContext("en-US")) {
            Page page = signIn(context, admin);
            page.click("#partner-area");
            page.waitForURL(partnerUrl);
            assertThat(page.locator("h1").textContent()).isEqualTo("Globex Integrations");
            assertThat(page.locator("#partner-role").textContent()).isEqualTo("partner-admin");
            assertThat(page.locator("#partner-regions").textContent()).isEqualTo("eu-central, us-east");
            assertThat(page.locator("#partner-tenants-none").isVisible()).isTrue();
            // only the partner's regions and plans are offered
            assertThat(page.locator("#partner-tenant-form input[name=home_region]")
                    .evaluateAll("els => els.map(e => e.value)")).isEqualTo(List.of("eu-central", "us-east"));
            assertThat(page.locator("#partner-tenant-plan option").evaluateAll("els => els.map(e => e.value)"))
                    .isEqualTo(List.of("payg", "subscription"));

            createTenant(page, "Initech US", "us-east", "payg");
            createTenant(page, "Initech EU", "eu-central", "subscription");
            var rows = page.locator("#partner-tenants tbody tr");
            assertThat(rows.count()).isEqualTo(2);
            assertThat(rows.locator("td:first-child").allTextContents()).containsExactly("Initech EU", "Initech US");
            assertThat(rows.locator(".region").allTextContents()).containsExactly("eu-central", "us-east");
            assertThat(rows.first().textContent()).contains("owned", "subscription");

            // a region the partner may not sell in: the API's refusal, in its words, above the form
            String csrf = page.locator("#partner-tenant-form input[type=hidden]").first().getAttribute("value");
            var refused = page.request().post(partnerUrl + "/tenants", RequestOptions.create().setForm(
                    FormData.create().set("csrf-token", csrf).set("name", "Initech CN").set("home_region", "cn-north")
                            .set("plan", "payg")).setMaxRedirects(0));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.text()).contains("partner-tenant-error", "cn-north");

            // into the US tenant's ordinary pages, as its admin: a key, which calls the US gateway
            page.click("#partner-tenants a:text-is('Initech US')");
            page.waitForURL(Pattern.compile(".*/tenants/[0-9a-f-]+$"));
            String usTenant = page.url().substring(page.url().lastIndexOf('/') + 1);
            page.navigate(ConsoleBrowser.consoleUrl() + "/tenants/" + usTenant + "/keys");
            page.fill("#key-name", "customer key");
            page.check("input[name=scopes][value=inference]");
            page.click("form[action$='/keys'] button[type=submit]");
            String secret = page.locator("#new-key").textContent().trim();
            assertThat(secret).startsWith("mk_");
            given().baseUri(SystemUnderTest.us()).auth().oauth2(secret).contentType(ContentType.JSON)
                    .body(Map.of("model", "all-minilm-l6-v2", "input", "a partner's customer"))
                    .post("/v1/embeddings").then().statusCode(200);

            // its usage this month on the partner's page, once billing has counted the call (its requests also count
            // the console's own calls for the member, such as the overview's fine-tuning jobs; one text was embedded)
            page.navigate(partnerUrl);
            await("the call's usage on the partner page").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> {
                        page.reload();
                        var usage = page.locator("#tenant-" + usTenant + " .usage");
                        return usage.textContent() + " " + usage.innerHTML();
                    }, usage -> usage.contains("embedded_items 1"));
            shot(page, "14-partner");
            printServerTiming(page, partnerUrl);

            // the audit trail: the tenants created and the key, each with its tenant
            page.click(".crumbs a:text-is('Audit log')");
            var audit = page.locator("#partner-audit tbody");
            assertThat(audit.textContent()).contains("tenant.created", "api_key.created", "Initech US",
                    "Initech EU");
            shot(page, "16-partner-audit");

            // members: add the support person, who then sees the tenants but may change nothing and may not read
            // their billing (partner-support is a viewer of them)
            page.click(".crumbs a:text-is('Members')");
            page.fill("#member-email", support.email());
            page.selectOption("#member-role", "partner-support");
            page.click("#partner-member-form button[type=submit]");
            assertThat(page.locator("#partner-member-error").count()).isZero();
            assertThat(page.locator("#partner-members").textContent()).contains(support.email(), "partner-support");
            shot(page, "17-partner-members");
            try (BrowserContext other = browser.newContext("en-US")) {
                Page elsewhere = signIn(other, support);
                elsewhere.click("#partner-area");
                elsewhere.waitForURL(partnerUrl);
                assertThat(elsewhere.locator("#partner-role").textContent()).isEqualTo("partner-support");
                assertThat(elsewhere.locator("#partner-tenants tbody tr").count()).isEqualTo(2);
                assertThat(elsewhere.locator("#partner-tenants td:nth-child(6)").allTextContents())
                        .containsOnly("viewer");
                assertThat(elsewhere.locator("#tenant-" + usTenant + " .usage").textContent())
                        .isEqualTo("not available");
                assertThat(elsewhere.locator("#partner-tenant-form").count()).isZero();

                // removed, they are no partner's member any more: no partner area, and its address is not found
                page.locator("#partner-members tr", new Page.LocatorOptions().setHasText(support.email()))
                        .locator("button:text-is('Remove')").click();
                assertThat(page.locator("#partner-members").textContent()).doesNotContain(support.email());
                var response = elsewhere.navigate(partnerUrl);
                assertThat(response.status()).isEqualTo(404);
                assertThat(elsewhere.locator("h1").textContent()).isEqualTo("Page not found");
                assertThat(elsewhere.locator("#partner-area").count()).isZero();
                assertThat(elsewhere.content()).doesNotContain("Globex");
                assertThat(elsewhere.navigate(ConsoleBrowser.consoleUrl() + "/partners").status()).isEqualTo(404);
                assertThat(elsewhere.navigate(partnerUrl + "/statements").status()).isEqualTo(404);
                elsewhere.navigate(ConsoleBrowser.consoleUrl() + "/tenants");
                assertThat(elsewhere.locator("#partner-area").count()).isZero();
            }

            // the statements: none yet, then last month's closed by an operator, one per currency of the partner's
            // tenants (EUR in eu-central, USD in us-east), each a page of its own and billing's PDF
            page.click(".crumbs a:text-is('Statements')");
            assertThat(page.locator("h1").textContent()).isEqualTo("Statements");
            assertThat(page.locator("#statements-none").textContent()).startsWith("No statements yet");
            String lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
            operator().body(Map.of("period", lastMonth))
                    .post("/api/v1/billing/admin/partners/{p}/statements/close", partner).then().statusCode(200);
            page.reload();
            var statements = page.locator("#statements tbody tr");
            assertThat(statements.count()).isEqualTo(2);
            assertThat(statements.allTextContents()).allSatisfy(row -> assertThat(row).contains("Payable to you",
                    "View", "PDF"));
            assertThat(String.join(" ", statements.allTextContents())).contains("€", "$");
            String pdf = statements.first().locator("a:text-is('PDF')").getAttribute("href");
            var download = page.request().get(ConsoleBrowser.consoleUrl() + pdf);
            assertThat(download.status()).isEqualTo(200);
            assertThat(new String(download.body(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("%PDF-");
            shot(page, "15-partner-statements");
            statements.first().locator("a:text-is('View')").click();
            // the same month's statements are listed by currency: EUR's first, with the EU tenant's line
            assertThat(page.locator("h1").textContent()).startsWith("Statement ");
            assertThat(page.locator("#statement-lines tbody").textContent()).contains("Initech EU", "eu-central")
                    .doesNotContain("Initech US");
            shot(page, "15b-partner-statement");
        }
    }

    /** How long the partner page takes on the console's server (its Server-Timing), for docs/console.md. */
    private static void printServerTiming(Page page, String url) {
        List<Double> app = new java.util.ArrayList<>();
        List<Double> render = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String timing = page.navigate(url).headerValue("server-timing");
            for (String metric : timing.split(",")) {
                String[] parts = metric.strip().split(";dur=");
                (parts[0].equals("app") ? app : render).add(Double.parseDouble(parts[1]));
            }
        }
        app.sort(null);
        render.sort(null);
        System.out.printf("[timing] partner page, 10 loads: app p50 %.1f ms (max %.1f), render p50 %.1f ms (max %.1f)%n",
                app.get(5), app.get(9), render.get(5), render.get(9));
    }

    private static void createTenant(Page page, String name, String region, String plan) {
        page.fill("#partner-tenant-name", name);
        page.check("#partner-tenant-form input[name=home_region][value=" + region + "]");
        page.selectOption("#partner-tenant-plan", plan);
        page.click("#partner-tenant-form button[type=submit]");
        page.waitForSelector("#partner-tenants td:text-is('" + region + "')");
        assertThat(page.locator("#partner-tenant-error").count()).isZero();
    }

    private static RequestSpecification operator() {
        return given().baseUri(SystemUnderTest.eu()).auth().oauth2(Operator.token()).contentType(ContentType.JSON);
    }
}
