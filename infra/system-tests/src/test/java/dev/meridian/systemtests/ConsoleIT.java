package dev.meridian.systemtests;

import static dev.meridian.systemtests.ConsoleBrowser.shot;
import static dev.meridian.systemtests.ConsoleBrowser.signIn;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
    void aNewCustomerSignsUpCreatesATenantAndAKeyFineTunesAModelReadsTheBillThenTheConsoleInChinese() throws Exception {
        try (BrowserContext context = browser.newContext("en-US")) {
            String email = signUp(context.newPage());
            Page page = context.pages().getFirst();
            assertThat(page.locator("h1").textContent()).isEqualTo("Your tenants");
            assertThat(page.locator(".user").textContent()).isEqualTo(email);
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

            String keysPage = page.url();
            String tenantUrl = keysPage.replaceAll("/keys$", "");

            // a dataset, then a fine-tuning job the page follows live until it has succeeded, chart and all
            page.click("nav a:text-is('Fine-tuning')");
            page.click("a[href$='/fine-tuning/datasets']");
            page.setInputFiles("#dataset-file", new FilePayload("topics.jsonl", "application/jsonl",
                    topicsDataset().getBytes(StandardCharsets.UTF_8)));
            page.click("#dataset-form button[type=submit]");
            assertThat(page.locator("#dataset-uploaded").textContent()).contains("topics.jsonl");
            shot(page, "10-datasets");
            page.navigate(tenantUrl + "/fine-tuning");
            page.selectOption("#job-model", "all-minilm-l6-v2");
            page.fill("#job-epochs", "3");
            page.fill("#job-batch", "4");
            page.fill("#job-suffix", "topics");
            page.fill("#job-seed", "7");
            shot(page, "11-fine-tuning");
            page.click("#job-form button[type=submit]");
            page.waitForURL(Pattern.compile(".*/fine-tuning/jobs/ftjob-.*"));
            String jobUrl = page.url();
            var seen = new ArrayList<String>();
            page.onFrameNavigated(frame -> seen.add("navigated to " + frame.url()));
            await("the job succeeded, seen live").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        String status = page.locator("#job-status").textContent().strip();
                        if (seen.isEmpty() || !seen.getLast().equals(status)) {
                            seen.add(status);
                        }
                        assertThat(status).as("statuses seen: %s", seen).isEqualTo("succeeded");
                    });
            assertThat(seen).as("the page followed the job without reloading").noneMatch(s -> s.startsWith("navigated"));
            assertThat(page.url()).isEqualTo(jobUrl);
            assertThat(page.locator("#loss-chart canvas").count()).as("the loss chart is drawn").isEqualTo(1);
            assertThat(page.locator("#events").textContent()).contains("train_loss");
            assertThat(page.locator("#job-cancel").count()).as("nothing to cancel any more").isZero();
            page.fill("#classify-input", "the goalkeeper caught the ball");
            page.click("#classify-form button[type=submit]");
            assertThat(page.locator("#classify-label strong").textContent()).isIn("sports", "cooking");
            shot(page, "12-job");
            page.navigate(keysPage);

            // usage and billing: the call shows up in this month's usage, a budget is set in the account's currency
            page.click("text=Usage and billing");
            assertThat(page.locator("h1").textContent()).isEqualTo("Usage and billing");
            await("the embedding billed and shown").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        page.reload();
                        return page.locator("#usage-chart canvas").count() > 0;
                    });
            assertThat(page.locator("#usage-days").textContent()).contains("requests");
            page.fill("#soft", "10.00");
            page.click("form[action$='/billing/budgets'] button[type=submit]");
            assertThat(page.locator("#soft").inputValue()).isEqualTo("10.00");
            assertThat(page.locator("dl.figures").textContent()).contains("$10.00");
            // and a budget for the key alone
            page.fill("#key-budgets input[name=soft]", "2.50");
            page.click("#key-budgets button[type=submit]");
            assertThat(page.locator("#key-budgets input[name=soft]").inputValue()).isEqualTo("2.50");
            var download = page.waitForDownload(() -> page.click("a[href$='usage.csv']"));
            assertThat(Files.readString(download.path())).startsWith("day,meter,model,quantity,events")
                    .contains(",requests,all-minilm-l6-v2,");
            shot(page, "04-billing");
            assertThat(page.locator("#usage-by-key tbody").textContent()).as("usage per key and model")
                    .contains("journey key", "all-minilm-l6-v2", "requests");
            // this month's invoice so far: a page with its lines, and the PDF billing renders
            var pdf = page.waitForDownload(() -> page.locator("a[href$='/invoices/upcoming.pdf']").click());
            assertThat(Files.readAllBytes(pdf.path())).startsWith("%PDF".getBytes());
            page.click("a[href$='/invoices/upcoming']");
            assertThat(page.locator("#invoice-status").textContent()).isEqualTo("draft");
            assertThat(page.locator("#invoice-lines tbody").textContent()).contains("requests");
            shot(page, "04b-invoice");
            page.goBack();
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
            assertThat(page.locator("#audit tbody").textContent()).contains("api_key.created", email);
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
        try (BrowserContext context = browser.newContext("zh-CN")) {
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

        try (BrowserContext context = browser.newContext("en-US")) {
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
        try (BrowserContext context = browser.newContext("en-US")) {
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

    /** Twelve short texts in two topics: the least a job needs, so that it trains in seconds on a CPU. */
    private static String topicsDataset() {
        var lines = new ArrayList<String>();
        for (String s : List.of("the striker scored", "the team won the match", "the sprinter broke the record",
                "the referee showed a red card", "the cyclist won the stage", "the keeper saved the penalty")) {
            lines.add("{\"text\":\"" + s + "\",\"label\":\"sports\"}");
        }
        for (String s : List.of("the chef baked bread", "grandma simmered the soup", "the cook grilled salmon",
                "the baker kneaded dough", "we roasted vegetables", "she whisked the eggs")) {
            lines.add("{\"text\":\"" + s + "\",\"label\":\"cooking\"}");
        }
        return String.join("\n", lines) + "\n";
    }

    /**
     * Signs a new person up as they would: the console sends the browser to Keycloak's sign-in page, they follow its
     * "Register" link, fill in the form, open the link Keycloak mails them (in the same browser), choose a password
     * where Keycloak asks for it only then, and arrive at the console signed in. Returns the address.
     */
    private static String signUp(Page page) {
        String email = "journey-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String password = "Pw-" + java.util.UUID.randomUUID();
        ConsoleBrowser.logBrowser(page);
        page.navigate(SystemUnderTest.platform().consoleUrl());
        page.click("#kc-registration a");
        page.fill("#email", email);
        page.fill("#firstName", "Journey");
        page.fill("#lastName", "Tester");
        if (page.locator("#password").count() > 0) {
            page.fill("#password", password);
            page.fill("#password-confirm", password);
        }
        shot(page, "00-sign-up");
        page.click("#kc-register-form [type=submit]");
        String link = SystemUnderTest.platform().mailbox().awaitActionLink(email, Duration.ofSeconds(60));
        page.navigate(link);
        if (page.locator("#password-new").count() > 0) {
            page.fill("#password-new", password);
            page.fill("#password-confirm", password);
            page.click("#kc-passwd-update-form [type=submit]");
        }
        page.waitForURL(SystemUnderTest.platform().consoleUrl() + "/tenants");
        return email;
    }
}
