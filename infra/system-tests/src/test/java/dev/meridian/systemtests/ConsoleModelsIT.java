package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's Models and Fine-tuning pages in a real browser (Debian's chromium driven by Playwright) against the
 * whole platform: a model uploaded in parts with its progress bar, deployed and tried; datasets and their per-line
 * refusal; a fine-tuning job followed live to its end, its chart and its playground; and what a viewer sees. Each
 * page is saved under {@code target/console-screenshots/} for docs/console.md.
 */
class ConsoleModelsIT {

    static Playwright playwright;
    static Browser browser;
    static Path screenshots = Path.of("target/console-screenshots");
    static Path adder = Path.of("../../docs/examples/adder.onnx");

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
    void anOwnerUploadsAModelInPartsDeploysItAndTriesItAndSeesWhyAFileIsRefused() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Models Inc", "eu-central");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US"))) {
            Page page = signIn(context, owner);
            page.navigate(tenantUrl(tenant) + "/models");
            assertThat(page.locator("h1").textContent()).isEqualTo("Models");
            assertThat(page.locator("#base-models").textContent()).contains("all-minilm-l6-v2");

            page.fill("#model-name", "adder");
            page.setInputFiles("#model-file", adder);
            page.click("#upload-form button[type=submit]");
            page.waitForSelector("#upload-done:visible, #upload-error:visible", new Page.WaitForSelectorOptions()
                    .setState(WaitForSelectorState.VISIBLE).setTimeout(60_000));
            assertThat(page.locator("#upload-error").isHidden()).as(page.locator("#upload-error").textContent())
                    .isTrue();
            Locator progress = page.locator("#upload-progress");
            assertThat(progress.evaluate("p => p.value")).as("the bar reached its end")
                    .isEqualTo(progress.evaluate("p => p.max"));
            shot(page, "07-models-uploaded");

            page.click("#upload-link");
            page.waitForURL(tenantUrl(tenant) + "/models/adder");
            assertThat(page.locator("#version-1").textContent()).contains("not deployed", "x FP32 [-1, 3]");
            page.click("#version-1 button:has-text('Deploy')");
            assertThat(page.locator("#version-1 .deployment").textContent().strip()).isEqualTo("deployed");

            // the try-it request is made from the version's inputs: x = [1, 2, 3], and adder adds [0.5, 1.5, 2.5]
            assertThat(page.locator("#try-request").inputValue()).contains("\"shape\":[1,3]");
            await("the deployed version served").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        page.click("#try-form button[type=submit]");
                        return page.locator("#try-answer").count() > 0;
                    });
            assertThat(page.locator("#try-answer").textContent()).contains("1.5", "3.5", "5.5");
            shot(page, "08-model");

            // a file that is not ONNX: the registry's refusal, in its words, next to the form
            page.navigate(tenantUrl(tenant) + "/models");
            page.fill("#model-name", "broken");
            page.setInputFiles("#model-file", new FilePayload("notes.onnx", "application/octet-stream",
                    "these are notes, not a model".getBytes(StandardCharsets.UTF_8)));
            page.click("#upload-form button[type=submit]");
            page.waitForSelector("#upload-error", new Page.WaitForSelectorOptions()
                    .setState(WaitForSelectorState.VISIBLE).setTimeout(60_000));
            assertThat(page.locator("#upload-error").textContent()).contains("not a parseable ONNX model",
                    "onnx_parse");
            assertThat(page.locator("#upload-done").isHidden()).isTrue();
            shot(page, "09-upload-refused");
        }
    }

    @Test
    void anOwnerUploadsADatasetAndWatchesAJobTrainLiveThenClassifiesWithIt() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Tuning Inc", "eu-central");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US"))) {
            Page page = signIn(context, owner);
            page.navigate(tenantUrl(tenant) + "/fine-tuning/datasets");
            assertThat(page.locator("h1").textContent()).isEqualTo("Datasets");

            // a file with lines that are not JSON: the API names each line, and nothing is kept
            page.setInputFiles("#dataset-file", new FilePayload("broken.jsonl", "application/jsonl",
                    "{\"text\":\"fine\",\"label\":\"a\"}\nnot json\n{\"text\": \n".getBytes(StandardCharsets.UTF_8)));
            page.click("#dataset-form button[type=submit]");
            assertThat(page.locator("#dataset-error").textContent()).contains("line 2", "line 3",
                    "invalid_file_format");
            assertThat(page.locator("#datasets").count()).isZero();

            page.setInputFiles("#dataset-file", new FilePayload("topics.jsonl", "application/jsonl",
                    dataset().getBytes(StandardCharsets.UTF_8)));
            page.click("#dataset-form button[type=submit]");
            assertThat(page.locator("#dataset-uploaded").textContent()).contains("topics.jsonl");
            assertThat(page.locator("#datasets tbody tr").count()).isEqualTo(1);
            shot(page, "10-datasets");

            page.click("text=Fine-tuning");
            assertThat(page.locator("h1").textContent()).isEqualTo("Fine-tuning");
            page.selectOption("#job-model", "all-minilm-l6-v2");
            page.fill("#job-epochs", "3");
            page.fill("#job-batch", "4");
            page.fill("#job-suffix", "topics");
            page.fill("#job-seed", "7");
            shot(page, "11-fine-tuning");
            page.click("#job-form button[type=submit]");
            page.waitForURL(Pattern.compile(".*/fine-tuning/jobs/ftjob-.*"));
            String jobUrl = page.url();

            // the page follows the job by itself: no reload until it has ended
            var statuses = new ArrayList<String>();
            page.onFrameNavigated(frame -> statuses.add("navigated to " + frame.url()));
            await("the job succeeded, seen live").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        String status = page.locator("#job-status").textContent().strip();
                        if (statuses.isEmpty() || !statuses.getLast().equals(status)) {
                            statuses.add(status);
                        }
                        assertThat(status).as("statuses seen: %s", statuses).isEqualTo("succeeded");
                    });
            assertThat(statuses).as("the page was not reloaded").noneMatch(s -> s.startsWith("navigated"));
            assertThat(page.url()).isEqualTo(jobUrl);
            assertThat(page.locator("#loss-chart canvas").count()).as("the chart is drawn").isEqualTo(1);
            assertThat(page.locator("#events li").count()).isGreaterThan(1);
            assertThat(page.locator("#events").textContent()).contains("train_loss");
            assertThat(page.locator("#job-cancel").count()).as("nothing to cancel any more").isZero();

            page.fill("#classify-input", "the goalkeeper caught the ball");
            page.click("#classify-form button[type=submit]");
            assertThat(page.locator("#classify-label strong").textContent()).isIn("sports", "cooking");
            assertThat(page.locator("#classify-scores tbody tr").count()).isEqualTo(2);
            shot(page, "12-job");
        }
    }

    @Test
    void aViewerSeesTheModelsAndFineTuningPagesWithoutControls() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Watched Inc", "eu-central");
        var viewer = ConsoleUser.signUp();
        String member = owner.api().body(Map.of("email", viewer.email(), "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");
        viewer.api().post("/api/v1/invitations/{m}/accept", member).then().statusCode(200);

        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US"))) {
            Page page = signIn(context, viewer);
            page.navigate(tenantUrl(tenant) + "/models");
            assertThat(page.locator("h1").textContent()).isEqualTo("Models");
            assertThat(page.locator("#upload-form").count()).as("no upload for a viewer").isZero();
            assertThat(page.locator("#models-refusal").textContent()).contains("insufficient_scope");
            shot(page, "13-models-viewer");
            page.navigate(tenantUrl(tenant) + "/fine-tuning");
            assertThat(page.locator("h1").textContent()).isEqualTo("Fine-tuning");
            assertThat(page.locator("#job-form").count()).as("no job form for a viewer").isZero();
            assertThat(page.locator("#fine-tuning-refusal").textContent()).contains("insufficient_scope");
            page.navigate(tenantUrl(tenant) + "/fine-tuning/datasets");
            assertThat(page.locator("#dataset-form").count()).as("no dataset upload for a viewer").isZero();
            page.navigate(tenantUrl(tenant) + "/models/all-minilm-l6-v2");
            assertThat(page.locator("form[method=post]").count()).as("no deploy or try-it for a viewer").isZero();
        }
    }

    /** Twelve short texts in two topics: the least a job needs, so that it trains in seconds on a CPU. */
    private static String dataset() {
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

    private static String tenantUrl(String tenant) {
        return SystemUnderTest.platform().consoleUrl() + "/tenants/" + tenant;
    }

    /** Opens the console, which sends the browser to Keycloak's sign-in page, and signs in there. */
    private static Page signIn(BrowserContext context, ConsoleUser user) {
        Page page = context.newPage();
        page.onConsoleMessage(m -> System.out.println("[browser] " + m.type() + ": " + m.text()));
        page.onPageError(e -> System.out.println("[browser] page error: " + e));
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
