package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The browser of the console's tests: Debian's {@code chromium} driven by Playwright, which may not download its own
 * browser on these machines. Pages are saved as screenshots under {@code target/console-screenshots/} (docs/console.md
 * shows them); the browser's console messages and errors go to the test's output.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target/console-screenshots");

    private final Playwright playwright;
    private final Browser browser;

    private ConsoleBrowser(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static ConsoleBrowser launch() {
        Path chromium = Path.of(System.getenv().getOrDefault("MERIDIAN_CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium package (apt-get install chromium; .ci/run installs it)")
                .isExecutable();
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        return new ConsoleBrowser(playwright, playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(chromium).setHeadless(true)));
    }

    /** A fresh browser profile (no cookies) whose pages ask for {@code locale} (e.g. en-US, zh-CN). */
    BrowserContext newContext(String locale) {
        return browser.newContext(new Browser.NewContextOptions().setLocale(locale));
    }

    static String consoleUrl() {
        return SystemUnderTest.platform().consoleUrl();
    }

    /** Opens the console, which sends the browser to Keycloak's sign-in page, and signs in there. */
    static Page signIn(BrowserContext context, ConsoleUser user) {
        Page page = context.newPage();
        logBrowser(page);
        page.navigate(consoleUrl());
        page.fill("#username", user.email());
        page.fill("#password", user.password());
        page.click("#kc-login");
        page.waitForURL(consoleUrl() + "/tenants");
        return page;
    }

    static void logBrowser(Page page) {
        page.onConsoleMessage(m -> System.out.println("[browser] " + m.type() + ": " + m.text()));
        page.onPageError(e -> System.out.println("[browser] page error: " + e));
    }

    static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        playwright.close();
    }
}
