package dev.meridian.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.BaseModel;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.inference.runtime.TextEmbedder;
import dev.meridian.platform.Platform;
import dev.meridian.platform.PlatformOptions;
import dev.meridian.platform.RunningPlatform;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run, same texts, same model, same thread settings: (1) raw in-process ONNX Runtime (tokenize + run, best
 * batch), (2) the inference service over HTTP, (3) the same through the gateway with an API key. Throughput at
 * concurrency 1, 4, 16, 64 (one text per request), then p50/p99 latency at a fixed moderate rate.
 */
public final class ServingBench {

    static final String MODEL = "all-minilm-l6-v2";
    static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Meridian serves embeddings for startups selling AI to their customers.",
            "A tenant's data stays in its home region.",
            "Dynamic batching merges concurrent requests into one model call.",
            "Kafka carries usage events to billing.",
            "The gateway authenticates every call with an API key.",
            "Fine-tuning trains a classification head on frozen embeddings.",
            "Budgets stop spending at the limit even under concurrency.");

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        System.out.printf("machine: %d cores, %s %s; model %s; %d s per step%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), MODEL, seconds);

        double raw = rawThroughput(seconds);
        System.out.printf("raw in-process ONNX Runtime, batch 32: %.0f texts/s%n", raw);

        Path state = Files.createTempDirectory(Path.of(System.getProperty("meridian.home"), "target"), "bench-");
        try (RunningPlatform p = Platform.start(PlatformOptions.forTests(state), l -> System.out.println("  " + l))) {
            String serviceToken = OidcBrowser.clientCredentials(p.keycloakUrl(), "meridian-gateway",
                    p.secrets().get(Secrets.GATEWAY_CLIENT_SECRET)).accessToken();
            String apiKey = enterpriseKey(p);
            var service = new Target("service", p.inferenceUrl("eu-central") + "/v1/embeddings", serviceToken);
            var gateway = new Target("gateway", p.gatewayUrl("eu-central") + "/v1/embeddings", apiKey);
            warmUp(service);
            warmUp(gateway);

            System.out.println();
            System.out.println("| concurrency | service texts/s | gateway texts/s | service / raw | gateway / service |");
            System.out.println("| --- | --- | --- | --- | --- |");
            for (int c : new int[] {1, 4, 16, 64}) {
                double s = throughput(service, c, seconds);
                double g = throughput(gateway, c, seconds);
                System.out.printf("| %d | %.0f | %.0f | %.2f | %.2f |%n", c, s, g, s / raw, g / s);
            }
            int rate = 40;
            long[] sl = latencies(service, rate, seconds);
            long[] gl = latencies(gateway, rate, seconds);
            System.out.println();
            System.out.printf("| latency at %d req/s | p50 ms | p99 ms |%n| --- | --- | --- |%n", rate);
            System.out.printf("| service | %.2f | %.2f |%n", pct(sl, 50), pct(sl, 99));
            System.out.printf("| gateway | %.2f | %.2f |%n", pct(gl, 50), pct(gl, 99));
            System.out.printf("gateway adds %.2f ms at p50%n", pct(gl, 50) - pct(sl, 50));
        }
    }

    record Target(String name, String url, String bearer) {
    }

    private static double rawThroughput(int seconds) throws Exception {
        var env = OrtEnvironment.getEnvironment();
        var options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0"); // as the service does
        BaseModel model = BaseModel.CATALOG.stream().filter(m -> m.id().equals(MODEL)).findFirst().orElseThrow();
        try (var embedder = new TextEmbedder(model, env, options)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                embedBatch(embedder, 32);
            }
            long done = 0;
            long start = System.nanoTime();
            deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                done += embedBatch(embedder, 32);
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static int embedBatch(TextEmbedder e, int size) {
        List<Tokens> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(e.tokenize(TEXTS.get(i % TEXTS.size()), true));
        }
        return e.embed(batch).length;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpRequest request(Target t, int i) {
        String body = "{\"model\":\"" + MODEL + "\",\"input\":\"" + TEXTS.get(i % TEXTS.size()) + "\"}";
        return HttpRequest.newBuilder(URI.create(t.url())).header("Authorization", "Bearer " + t.bearer())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void warmUp(Target t) throws Exception {
        for (int i = 0; i < 200; i++) {
            var r = HTTP.send(request(t, i), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(t.name() + " answered " + r.statusCode());
            }
        }
    }

    /** Keeps {@code concurrency} requests in flight for the given time; returns completed texts per second. */
    private static double throughput(Target t, int concurrency, int seconds) throws Exception {
        var slots = new Semaphore(concurrency);
        var ok = new AtomicLong();
        var failed = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        int i = 0;
        while (System.nanoTime() < deadline) {
            slots.acquire();
            HTTP.sendAsync(request(t, i++), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.acquire(concurrency);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            System.out.printf("  %s at concurrency %d: %d failed requests%n", t.name(), concurrency, failed.get());
        }
        return ok.get() / elapsed;
    }

    /** Sends at a fixed rate (open loop) and returns each request's latency in nanoseconds. */
    private static long[] latencies(Target t, int perSecond, int seconds) throws Exception {
        int n = perSecond * seconds;
        long[] out = new long[n];
        var done = new CountDownLatch(n);
        long interval = 1_000_000_000L / perSecond;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            int idx = i;
            long sent = System.nanoTime();
            HTTP.sendAsync(request(t, i), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                out[idx] = System.nanoTime() - sent;
                done.countDown();
            });
        }
        done.await();
        Arrays.sort(out);
        return out;
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    /**
     * A tenant on the enterprise plan, so the per-key rate limit does not cap the benchmark. Customers cannot choose
     * that plan at sign-up: the tenant is created on pay as you go and the operator moves it in billing (book prices,
     * no budget, so the gateway's quota leases never stop the run), which tenancy follows within seconds.
     */
    private static String enterpriseKey(RunningPlatform p) throws Exception {
        String token = OidcBrowser.login(p.keycloakUrl(), "demo@meridian.local",
                p.secrets().get(Secrets.DEMO_PASSWORD)).accessToken();
        var created = HTTP.send(HttpRequest.newBuilder(URI.create(p.tenancyUrl() + "/api/v1/tenants"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"Bench\",\"home_region\":\"eu-central\",\"plan\":\"payg\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("tenancy refused the bench tenant: " + created.body());
        }
        String tenant = created.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        String operator = OidcBrowser.login(p.keycloakUrl(), "operator@meridian.local",
                p.secrets().get(Secrets.OPERATOR_PASSWORD)).accessToken();
        var plan = HTTP.send(HttpRequest.newBuilder(URI.create(p.billingUrl() + "/api/v1/billing/admin/tenants/"
                        + tenant + "/plan"))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"plan\":\"enterprise\",\"region\":\"eu-central\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (plan.statusCode() != 200) {
            throw new IllegalStateException("billing refused the bench tenant's plan: " + plan.body());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!HTTP.send(HttpRequest.newBuilder(URI.create(p.tenancyUrl() + "/api/v1/tenants/" + tenant))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body()
                .contains("\"plan\":\"enterprise\"")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tenancy did not take billing's enterprise plan within 30 s");
            }
            Thread.sleep(200);
        }
        var key = HTTP.send(HttpRequest.newBuilder(URI.create(p.tenancyUrl() + "/api/v1/tenants/" + tenant + "/api-keys"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\",\"scopes\":[\"inference\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return key.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    }
}
