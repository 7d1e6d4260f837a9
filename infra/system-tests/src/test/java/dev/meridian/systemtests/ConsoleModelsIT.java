package dev.meridian.systemtests;

import static dev.meridian.systemtests.ConsoleBrowser.shot;
import static dev.meridian.systemtests.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's Models and Fine-tuning pages in a real browser (Debian's chromium driven by Playwright) against the
 * whole platform: a model uploaded in parts with its progress bar, deployed and tried; a dataset's per-line refusal;
 * and what a viewer sees. (A fine-tuning job followed live to its end is part of {@link ConsoleIT}'s journey.) Each
 * page is saved under {@code target/console-screenshots/} for docs/console.md.
 */
class ConsoleModelsIT {

    static ConsoleBrowser browser;
    static Path adder = Path.of("../../docs/examples/adder.onnx");

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
    void anOwnerUploadsAModelInPartsDeploysItAndTriesItAndSeesWhyAFileIsRefused() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Models Inc", "eu-central");
        try (BrowserContext context = browser.newContext("en-US")) {
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
    void aDatasetWithBrokenLinesIsRefusedLineByLineAndNothingIsKept() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Tuning Inc", "eu-central");
        try (BrowserContext context = browser.newContext("en-US")) {
            Page page = signIn(context, owner);
            page.navigate(tenantUrl(tenant) + "/fine-tuning/datasets");
            assertThat(page.locator("h1").textContent()).isEqualTo("Datasets");
            page.setInputFiles("#dataset-file", new FilePayload("broken.jsonl", "application/jsonl",
                    "{\"text\":\"fine\",\"label\":\"a\"}\nnot json\n{\"text\": \n".getBytes(StandardCharsets.UTF_8)));
            page.click("#dataset-form button[type=submit]");
            assertThat(page.locator("#dataset-error").textContent()).contains("line 2", "line 3",
                    "invalid_file_format");
            assertThat(page.locator("#datasets").count()).isZero();
            shot(page, "10b-dataset-refused");
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

        try (BrowserContext context = browser.newContext("en-US")) {
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

    private static String tenantUrl(String tenant) {
        return ConsoleBrowser.consoleUrl() + "/tenants/" + tenant;
    }
}
