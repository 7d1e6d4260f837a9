package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console as a person uses it, in a real browser: Debian's {@code chromium} driven by Playwright (which may
 * not download its own browser here), against the whole platform. Each page the journey visits is saved as a
 * screenshot under {@code target/console-screenshots/} (the guide in docs/console.md shows them).
 */
class ConsoleIT {

    static Playwright playwright;
    static Browser browser;
    static Path screenshots = Path.of("target/console-screenshots");

    @BeforeAll
    static void launchChromium() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("MERIDIAN_CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium package (apt-get install chromium; .ci/run installs it)")
                .isExecutable();
        Files.createDirectories(screenshots);
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium)
                .setHeadless(true));
    }

    @AfterAll
    static void close() {
        if (playwright != null) {
            playwright.close();
        }
    }

    @Test
    void aCustomerCreatesATenantAndAKeyUsesItThenReadsTheConsoleInChineseAndSignsOut() throws Exception {
        var user = ConsoleUser.signUp();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US"))) {
            Page page = signIn(context, user);
            assertThat(page.locator("h1").textContent()).isEqualTo("Your tenants");
            shot(page, "01-tenants");

            page.fill("#tenant-name", "Journey Inc");
            page.check("input[name=home_region][value=us-east]");
            page.selectOption("#tenant-plan", "payg");
            page.click("form[action='/tenants'] button[type=submit]");
            page.waitForURL(Pattern.compile(".*/tenants/[0-9a-f-]+/keys"));
            assertThat(page.locator("h1").textContent()).isEqualTo("API keys");

            // only the scopes an owner may grant are offered, and a key's secret is shown once
            assertThat(page.locator("input[name=scopes]").evaluateAll("els => els.map(e => e.value)"))
                    .isEqualTo(List.of("inference", "models", "fine-tune", "billing:read"));
            page.fill("#key-name", "journey key");
            page.check("input[name=scopes][value=inference]");
            page.click("form[action$='/keys'] button[type=submit]");
            String secret = page.locator("#new-key").textContent().trim();
            assertThat(secret).startsWith("mk_");
            shot(page, "02-key-created");

            // the key works at the gateway for an embedding
            given().baseUri(SystemUnderTest.us()).auth().oauth2(secret).contentType(ContentType.JSON)
                    .body(Map.of("model", "all-minilm-l6-v2", "input", "hello from the console"))
                    .post("/v1/embeddings").then().statusCode(200);

            page.navigate(page.url()); // the keys page again, as a GET
            assertThat(page.locator("td code").first().textContent()).as("the list shows the prefix")
                    .isEqualTo(secret.split("_")[1]);
            assertThat(page.locator("#new-key").count()).as("the secret is never shown again").isZero();
            assertThat(page.content()).doesNotContain(secret);

            // usage and billing: the call shows up in this month's usage, a budget is set in the account's currency
            String keysPage = page.url();
            page.click("text=Usage and billing");
            assertThat(page.locator("h1").textContent()).isEqualTo("Usage and billing");
            await("the embedding billed and shown").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        page.reload();
                        return page.locator("#usage-chart canvas").count() > 0;
                    });
            assertThat(page.locator("table").first().textContent()).contains("requests");
            page.fill("#soft", "10.00");
            page.click("form[action$='/billing/budgets'] button[type=submit]");
            assertThat(page.locator("#soft").inputValue()).isEqualTo("10.00");
            assertThat(page.locator("dl.figures").textContent()).contains("$10.00");
            var download = page.waitForDownload(() -> page.click("a[href$='usage.csv']"));
            assertThat(Files.readString(download.path())).startsWith("day,meter,model,quantity,events")
                    .contains(",requests,all-minilm-l6-v2,1,1");
            shot(page, "04-billing");
            if (page.locator("a[href$='.pdf']").count() > 0) { // a month the account lived through is invoiced
                var pdf = page.waitForDownload(() -> page.locator("a[href$='.pdf']").first().click());
                assertThat(Files.readAllBytes(pdf.path())).startsWith("%PDF".getBytes());
            }
            // the overview: this month's usage and spend against the budget, the key in use
            page.click(".crumbs a[href$='" + keysPage.replaceAll(".*/tenants/([^/]+)/keys", "$1") + "']");
            assertThat(page.locator("h1").textContent()).isEqualTo("Journey Inc");
            assertThat(page.locator("#counts").textContent()).isEqualTo("1 active keys, 1 members");
            assertThat(page.locator("#usage-chart canvas").count()).isEqualTo(1);
            assertThat(page.locator("#soft-meter").getAttribute("max")).isEqualTo("1000");
            // a key's last use reaches tenancy in the gateways' next report, not at once
            await("the key shown as used").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        page.reload();
                        return page.locator("#keys-in-use").count() > 0;
                    });
            assertThat(page.locator("#keys-in-use tbody").textContent()).contains("journey key", "inference");
            shot(page, "06-overview");

            // the audit log, filtered to the key changes
            page.click("text=Audit log");
            page.fill("#action", "api_key.");
            page.click("form.filters button[type=submit]");
            assertThat(page.locator("#audit tbody tr").count()).isEqualTo(1);
            assertThat(page.locator("#audit tbody").textContent()).contains("api_key.created", user.email());
            shot(page, "05-audit");
            page.navigate(keysPage);

            page.click("a[lang=zh]");
            assertThat(page.locator("h1").textContent()).isEqualTo("API 密钥");
            shot(page, "03-keys-zh");
            page.click("a.brand");
            assertThat(page.locator("h1").textContent()).as("the language is kept").isEqualTo("您的租户");

            page.click("a.signout");
            page.waitForURL(Pattern.compile(".*/realms/meridian/.*"));
            assertThat(page.locator("#username").count()).as("back at Keycloak's sign-in page").isEqualTo(1);
        }
    }

    @Test
    void aChineseBrowserGetsKeycloaksSignInPageInChineseAndTheConsoleInChinese() {
        var user = ConsoleUser.signUp();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("zh-CN"))) {
            Page page = context.newPage();
            page.navigate(SystemUnderTest.platform().consoleUrl());
            assertThat(page.locator("#kc-login").textContent().strip()).isEqualTo("登录");
            page.fill("#username", user.email());
            page.fill("#password", user.password());
            page.click("#kc-login");
            page.waitForURL(SystemUnderTest.platform().consoleUrl() + "/tenants");
            assertThat(page.locator("h1").textContent()).isEqualTo("您的租户");
        }
    }

    @Test
    void aViewerSeesNoControlsAndAForgedPostIsRefused() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Viewed", "eu-central");
        var viewer = ConsoleUser.signUp();
        String member = owner.api().body(Map.of("email", viewer.email(), "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");
        viewer.api().post("/api/v1/invitations/{m}/accept", member).then().statusCode(200);

        try (BrowserContext context = browser.newContext()) {
            Page page = signIn(context, viewer);
            page.navigate(SystemUnderTest.platform().consoleUrl() + "/tenants/" + tenant + "/keys");
            assertThat(page.locator("h1").textContent()).isEqualTo("API keys");
            assertThat(page.locator("#key-name").count()).as("no key form for a viewer").isZero();
            assertThat(page.locator("text=Your role may not create keys.").count()).isEqualTo(1);
            assertThat(page.locator("text=Audit log").count()).as("no audit log link for a viewer").isZero();
            page.navigate(SystemUnderTest.platform().consoleUrl() + "/tenants/" + tenant + "/members");
            assertThat(page.locator("form").count()).as("no member controls for a viewer").isZero();
            page.navigate(SystemUnderTest.platform().consoleUrl() + "/tenants/" + tenant + "/audit");
            assertThat(page.locator("#audit").count()).as("the audit log is the owners' and admins'").isZero();
            assertThat(page.locator(".error").textContent()).containsIgnoringCase("owner");

            // a POST the page never offered, with a valid CSRF token taken from another form: the API says no
            page.navigate(SystemUnderTest.platform().consoleUrl() + "/tenants");
            String csrf = page.locator("form[action='/tenants'] input[type=hidden]").first().getAttribute("value");
            var forged = page.request().post(SystemUnderTest.platform().consoleUrl() + "/tenants/" + tenant + "/keys",
                    RequestOptions.create().setForm(FormData.create().set("csrf-token", csrf).set("name", "forged")
                            .set("scopes", "inference")).setMaxRedirects(0));
            assertThat(forged.status()).isEqualTo(403);
            assertThat(forged.text()).contains("viewer");
        }
        owner.api().get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200).body("data.size()",
                org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedAndAnotherTenantsIdIsNotFound() {
        var user = ConsoleUser.signUp();
        String someoneElses = ConsoleUser.signUp().createTenant("Not yours", "eu-central");
        try (BrowserContext context = browser.newContext()) {
            Page page = signIn(context, user);
            var withoutToken = page.request().post(SystemUnderTest.platform().consoleUrl() + "/tenants",
                    RequestOptions.create().setForm(FormData.create().set("name", "CSRF").set("home_region",
                            "eu-central")).setMaxRedirects(0));
            assertThat(withoutToken.status()).isEqualTo(400);
            user.api().get("/api/v1/tenants").then().statusCode(200).body("data.size()",
                    org.hamcrest.Matchers.equalTo(0));

            var response = page.navigate(SystemUnderTest.platform().consoleUrl() + "/tenants/" + someoneElses
                    + "/keys");
            assertThat(response.status()).isEqualTo(404);
            assertThat(page.locator("h1").textContent()).isEqualTo("Page not found");
            assertThat(page.content()).doesNotContain("Not yours");
        }
    }

    /** Opens the console, which sends the browser to Keycloak's sign-in page, and signs in there. */
    private static Page signIn(BrowserContext context, ConsoleUser user) {
        Page page = context.newPage();
        page.navigate(SystemUnderTest.platform().consoleUrl());
        page.fill("#username", user.email());
        page.fill("#password", user.password());
        page.click("#kc-login");
        page.waitForURL(SystemUnderTest.platform().consoleUrl() + "/tenants");
        return page;
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve(name + ".png")).setFullPage(true));
    }
}
