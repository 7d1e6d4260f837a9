package dev.meridian.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.platform.Platform;
import dev.meridian.platform.PlatformOptions;
import dev.meridian.platform.RunningPlatform;
import dev.meridian.stack.HtmlForms;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Secrets;
import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The console's usage and billing page with 10,000 usage rows behind it (issue #13: it must render in under 200 ms on
 * the server). Starts the platform, gives the demo tenant 10,000 distinct usage figures this month (day × meter ×
 * model × key, published to usage.events as the gateway would), signs the demo user in to the console through
 * Keycloak, then times, in one run on one machine: the billing API call the page makes (through the gateway, with the
 * user's token) and the whole page. The page's own cost (reading the answer, summing, rendering) is the difference.
 * Usage: infra/bench/console [requests]  (prints a Markdown table; see docs/benchmarks.md)
 */
public final class ConsoleBench {

    private static final int ROWS = 10_000;
    private static final Meter[] METERS = {Meter.REQUESTS, Meter.INPUT_TOKENS, Meter.EMBEDDED_ITEMS,
            Meter.CLASSIFICATION_ITEMS, Meter.MODEL_RUN_MILLISECONDS};

    private ConsoleBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        System.out.printf("machine: %d cores, %s %s; %d usage rows; %d timed requests each%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), ROWS, requests);
        Path state = Files.createTempDirectory(Path.of(System.getProperty("meridian.home"), "target"), "bench-");
        try (RunningPlatform p = Platform.start(PlatformOptions.forTests(state), l -> System.out.println("  " + l))) {
            String tenant = p.demoTenantId();
            String password = p.secrets().get(Secrets.DEMO_PASSWORD);
            String token = OidcBrowser.login(p.keycloakUrl(), "demo@meridian.local", password).accessToken();
            publishUsage(p, UUID.fromString(tenant));
            String usageUrl = p.gatewayUrl("eu-central") + "/api/v1/billing/usage?tenant_id=" + tenant
                    + "&group_by=" + URLEncoder.encode("day,model,key", StandardCharsets.UTF_8);
            awaitRows(usageUrl, token);

            HttpClient console = signedInToConsole(p, "demo@meridian.local", password);
            String pageUrl = p.consoleUrl() + "/tenants/" + tenant + "/billing";
            var api = HttpRequest.newBuilder(URI.create(usageUrl)).header("Authorization", "Bearer " + token).build();
            var page = HttpRequest.newBuilder(URI.create(pageUrl)).build();
            for (int i = 0; i < 10; i++) { // warm up both paths (JIT, connection pools, template)
                send(console, page, 200);
                send(console, api, 200);
            }
            long[] apiTimes = new long[requests];
            long[] pageTimes = new long[requests];
            long[] serverTimes = new long[requests];
            long[] renderTimes = new long[requests];
            int bytes = 0;
            for (int i = 0; i < requests; i++) { // interleaved, so both see the same machine
                apiTimes[i] = timed(console, api);
                long started = System.nanoTime();
                var answer = send(console, page, 200);
                pageTimes[i] = System.nanoTime() - started;
                bytes = answer.body().length();
                serverTimes[i] = serverTiming(answer, "app");
                renderTimes[i] = serverTiming(answer, "render");
            }
            System.out.printf("%npage: %d characters of HTML%n%n", bytes);
            System.out.println("| request | p50 ms | p95 ms | max ms |");
            System.out.println("| --- | --- | --- | --- |");
            row("billing API, usage by day × model × key (gateway → billing)", apiTimes);
            row("console page /tenants/{t}/billing (API calls + render)", pageTimes);
            long[] own = new long[requests];
            for (int i = 0; i < requests; i++) {
                own[i] = Math.max(0, pageTimes[i] - apiTimes[i]);
            }
            row("page minus usage API call (console's own work + its other API calls)", own);
            row("console server time (Server-Timing app: API calls, summing, rendering)", serverTimes);
            row("of which rendering the page (Server-Timing render)", renderTimes);
        }
    }

    /** 10,000 distinct (day, meter, model, key) figures on the days of this month so far, as the gateway meters. */
    private static void publishUsage(RunningPlatform p, UUID tenant) throws Exception {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        int days = today.atZone(ZoneOffset.UTC).getDayOfMonth();
        int models = 20;
        int keys = (ROWS + days * METERS.length * models - 1) / (days * METERS.length * models);
        UUID[] keyIds = new UUID[keys];
        Arrays.setAll(keyIds, i -> UUID.randomUUID());
        var json = new ObjectMapper().registerModule(new JavaTimeModule());
        Map<String, Object> config = Map.of("bootstrap.servers", p.kafkaBootstrap(), "security.protocol",
                "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gateway\" password=\""
                        + p.secrets().kafkaPassword("gateway") + "\";", "acks", "all");
        int sent = 0;
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int d = 0; d < days && sent < ROWS; d++) {
                for (Meter meter : METERS) {
                    for (int m = 0; m < models && sent < ROWS; m++) {
                        for (int k = 0; k < keys && sent < ROWS; k++, sent++) {
                            var event = new UsageEvent(UUID.randomUUID(), tenant, "eu-central", meter, 1 + sent % 97,
                                    "bench-model-" + m, keyIds[k], today.minus(Duration.ofDays(d)).plusSeconds(60),
                                    "bench");
                            producer.send(new ProducerRecord<>(UsageEvent.TOPIC, tenant.toString(),
                                    json.writeValueAsString(event)));
                        }
                    }
                }
            }
            producer.flush();
        }
        System.out.printf("published %d usage events (%d days × %d meters × %d models × %d keys)%n", sent, days,
                METERS.length, models, keys);
    }

    private static void awaitRows(String usageUrl, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(usageUrl)).header("Authorization", "Bearer " + token).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            String body = send(HttpClient.newHttpClient(), request, 200).body();
            long rows = body.split("\"meter\"", -1).length - 1L;
            if (rows >= ROWS) {
                System.out.printf("billing reports %d usage rows for the month%n", rows);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("billing reported only " + rows + " rows after 2 minutes");
            }
            Thread.sleep(500); // polling a running platform, not a test
        }
    }

    /** A browser-like client (cookies, redirects) that has signed in to the console through Keycloak's form. */
    private static HttpClient signedInToConsole(RunningPlatform p, String user, String password) throws Exception {
        var client = HttpClient.newBuilder().cookieHandler(new LocalhostCookies())
                .followRedirects(HttpClient.Redirect.ALWAYS).build();
        var login = send(client, HttpRequest.newBuilder(URI.create(p.consoleUrl() + "/tenants")).build(), 200);
        String action = HtmlForms.action(login.body(), "kc-form-login");
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&credentialId=";
        var tenants = send(client, HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), 200);
        if (!tenants.uri().toString().startsWith(p.consoleUrl())) {
            throw new IllegalStateException("signing in to the console ended at " + tenants.uri());
        }
        return client;
    }

    /**
     * Keycloak marks its cookies Secure even on plain-HTTP localhost, where a browser still sends them but java.net's
     * CookieManager does not (see OidcBrowser): this jar drops the flag as it stores them.
     */
    private static final class LocalhostCookies extends CookieHandler {
        private final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
            return jar.get(uri, requestHeaders);
        }

        @Override
        public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
            Map<String, List<String>> plain = new HashMap<>();
            responseHeaders.forEach((name, values) -> plain.put(name, name != null
                    && name.equalsIgnoreCase("Set-Cookie")
                    ? values.stream().map(v -> v.replaceAll("(?i);\\s*Secure(?=;|$)", "")).toList() : values));
            jar.put(uri, plain);
        }
    }

    /** A metric of the answer's Server-Timing header, in nanoseconds. */
    private static long serverTiming(HttpResponse<String> answer, String metric) {
        for (String header : answer.headers().allValues("Server-Timing")) {
            for (String part : header.split(",")) {
                String[] fields = part.strip().split(";dur=");
                if (fields.length == 2 && fields[0].equals(metric)) {
                    return (long) (Double.parseDouble(fields[1]) * 1e6);
                }
            }
        }
        throw new IllegalStateException("no Server-Timing " + metric + " in the console's answer");
    }

    private static long timed(HttpClient client, HttpRequest request) throws Exception {
        long started = System.nanoTime();
        send(client, request, 200);
        return System.nanoTime() - started;
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request, int expected) throws Exception {
        var response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(300, response.body().length())));
        }
        return response;
    }

    private static void row(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %.1f | %.1f | %.1f |%n", what, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.95) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
