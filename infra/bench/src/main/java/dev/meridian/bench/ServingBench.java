package dev.meridian.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One run, same texts, same model, same thread settings (issue #16): (1) raw in-process ONNX Runtime, tokenize + run,
 * at batch 1 (per-call latency) and at the best of several batch sizes; (2) the inference service over HTTP; (3) the
 * same through the gateway with an API key. Service and gateway are measured at 1, 16 and 64 callers (one text per
 * request, closed loop): texts/s, p50 and p99 latency, and the mean batch the service's continuous batching formed.
 * The ratios the issue asks for are printed at the end.
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
    static final int[] CALLERS = {1, 16, 64};
    static final int[] RAW_BATCHES = {1, 8, 16, 32, 64};

    /** One measured step: completed texts per second and the latencies of its calls (sorted, nanoseconds). */
    record Step(double textsPerSecond, long[] latencies, double meanBatch) {
        double p50() {
            return pct(latencies, 50);
        }

        double p99() {
            return pct(latencies, 99);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        System.out.printf("machine: %d cores, %s %s; model %s; %d s per step%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), MODEL, seconds);

        // One region: serving needs no other, and every idle JVM more is noise on two cores. Raw ONNX Runtime is
        // measured with the platform up and idle, the same conditions the service and the gateway run under.
        Path state = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("meridian.home"),
                "target")), "bench-");
        try (RunningPlatform p = Platform.start(PlatformOptions.forTests(state, List.of(PlatformOptions.EU_CENTRAL)),
                l -> System.out.println("  " + l))) {
            // the gateway's own client-credentials token, fetched anew each minute as the gateway does before expiry
            var serviceToken = new Supplier<String>() {
                private String token;
                private long fetchedAt;

                @Override
                public synchronized String get() {
                    if (token == null || System.nanoTime() - fetchedAt > Duration.ofMinutes(1).toNanos()) {
                        token = OidcBrowser.clientCredentials(p.keycloakUrl(), "meridian-gateway",
                                p.secrets().get(Secrets.GATEWAY_CLIENT_SECRET)).accessToken();
                        fetchedAt = System.nanoTime();
                    }
                    return token;
                }
            };
            String apiKey = enterpriseKey(p);
            String inference = p.inferenceUrl("eu-central");
            var service = new Target("service", inference + "/v1/embeddings", serviceToken);
            var gateway = new Target("gateway", p.gatewayUrl("eu-central") + "/v1/embeddings", () -> apiKey);
            String stats = inference + "/v2/models/" + MODEL + "/stats";
            var cpu = new CpuShares(p, "inference-eu-central", "gateway-eu-central", "billing", "kafka");
            // On two shared cores the JIT's C2 compiler threads were still the gateway's largest CPU user a minute into
            // the load: load each path until they are quiet, so the steps measure the compiled code.
            for (Target t : List.of(service, gateway)) {
                warmUp(t);
                warmUntilCompiled(t, cpu);
            }

            System.out.println();
            System.out.println("| raw ONNX Runtime | texts/s | p50 ms per call | p99 ms per call |");
            System.out.println("| --- | --- | --- | --- |");
            Step rawOne = null;
            Step rawBest = null;
            int bestBatch = 0;
            for (int batch : RAW_BATCHES) {
                Step step = raw(batch, seconds);
                System.out.printf("| batch %d | %.0f | %.2f | %.2f |%n", batch, step.textsPerSecond(), step.p50(),
                        step.p99());
                if (batch == 1) {
                    rawOne = step;
                }
                if (rawBest == null || step.textsPerSecond() > rawBest.textsPerSecond()) {
                    rawBest = step;
                    bestBatch = batch;
                }
            }

            System.out.println();
            System.out.println("| path | callers | texts/s | p50 ms | p99 ms | mean batch | CPU ms per text: "
                    + String.join(" / ", cpu.columns()) + " |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
            Map<String, Step> steps = new LinkedHashMap<>();
            List<String> threadLines = new ArrayList<>();
            for (int c : CALLERS) {
                for (Target t : List.of(service, gateway)) {
                    long[] before = batchCounts(stats, serviceToken.get());
                    var cpuBefore = cpu.sample();
                    var threadsBefore = List.of(cpu.threads(0), cpu.threads(1));
                    Step step = closedLoop(t, c, seconds);
                    var cpuAfter = cpu.sample();
                    var threadsAfter = List.of(cpu.threads(0), cpu.threads(1));
                    long[] after = batchCounts(stats, serviceToken.get());
                    long calls = after[1] - before[1];
                    step = new Step(step.textsPerSecond(), step.latencies(),
                            calls == 0 ? 0 : (double) (after[0] - before[0]) / calls);
                    steps.put(t.name() + c, step);
                    System.out.printf("| %s | %d | %.0f | %.2f | %.2f | %.1f | %s |%n", t.name(), c,
                            step.textsPerSecond(), step.p50(), step.p99(), step.meanBatch(),
                            cpu.perText(cpuBefore, cpuAfter, step.latencies().length));
                    for (int part = 0; part < 2; part++) {
                        threadLines.add(String.format("%s at %d caller(s), %s threads, CPU ms per text: %s", t.name(),
                                c, cpu.columns().get(part), CpuShares.topThreads(threadsBefore.get(part),
                                        threadsAfter.get(part), step.latencies().length, 6)));
                    }
                }
            }

            System.out.println();
            threadLines.forEach(System.out::println);
            System.out.println();
            for (int c : new int[] {1, 16}) {
                Step s = steps.get("service" + c);
                Step g = steps.get("gateway" + c);
                System.out.printf("gateway over service at %d caller(s): %+.2f ms p50, %+.2f ms p99%n", c,
                        g.p50() - s.p50(), g.p99() - s.p99());
            }
            System.out.printf("service at 1 caller over raw batch 1: %+.2f ms p50%n",
                    steps.get("service1").p50() - rawOne.p50());
            System.out.printf("gateway at 16 callers / raw at its best batch (%d): %.2f%n", bestBatch,
                    steps.get("gateway16").textsPerSecond() / rawBest.textsPerSecond());
            System.out.printf("gateway at 64 callers / at 16: %.2f%n",
                    steps.get("gateway64").textsPerSecond() / steps.get("gateway16").textsPerSecond());
        }
    }

    record Target(String name, String url, Supplier<String> bearer) {
    }

    /** Raw ONNX Runtime in this process, tokenizing and running batches of {@code size} back to back. */
    private static Step raw(int size, int seconds) throws Exception {
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
                embedBatch(embedder, size);
            }
            List<Long> calls = new ArrayList<>();
            long done = 0;
            long start = System.nanoTime();
            deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                done += embedBatch(embedder, size);
                calls.add(System.nanoTime() - t0);
            }
            return new Step(done / ((System.nanoTime() - start) / 1e9), sorted(calls), size);
        }
    }

    private static int embedBatch(TextEmbedder e, int size) {
        List<Tokens> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(e.tokenize(TEXTS.get(i % TEXTS.size()), true));
        }
        return e.embed(batch).length;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpRequest request(Target t, String bearer, int i) {
        String body = "{\"model\":\"" + MODEL + "\",\"input\":\"" + TEXTS.get(i % TEXTS.size()) + "\"}";
        return HttpRequest.newBuilder(URI.create(t.url())).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * Loads {@code t} at 16 callers, 5 s at a time, until the C2 compiler threads of inference and the gateway used
     * under 3 % of those processes' CPU in the last 5 s, or for at most 3 minutes; says how long it took.
     */
    private static void warmUntilCompiled(Target t, CpuShares cpu) throws Exception {
        long start = System.nanoTime();
        double share = 1;
        while (share > 0.03 && System.nanoTime() - start < Duration.ofMinutes(3).toNanos()) {
            var before = List.of(cpu.threads(0), cpu.threads(1));
            closedLoop(t, 16, 5);
            var after = List.of(cpu.threads(0), cpu.threads(1));
            long compiler = 0;
            long all = 0;
            for (int part = 0; part < 2; part++) {
                for (var e : after.get(part).entrySet()) {
                    long used = e.getValue() - before.get(part).getOrDefault(e.getKey(), 0L);
                    all += used;
                    if (e.getKey().startsWith("C2 Compiler")) {
                        compiler += used;
                    }
                }
            }
            share = all == 0 ? 0 : (double) compiler / all;
        }
        System.out.printf("  %s warmed up in %d s (C2 compiler threads at %.0f %% of inference's and the gateway's CPU"
                + " in the last 5 s)%n", t.name(), Duration.ofNanos(System.nanoTime() - start).toSeconds(),
                share * 100);
    }

    private static void warmUp(Target t) throws Exception {
        for (int i = 0; i < 20; i++) {
            var r = HTTP.send(request(t, t.bearer().get(), i), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(t.name() + " answered " + r.statusCode());
            }
        }
    }

    /**
     * Keeps {@code callers} requests in flight for the given time, each caller sending its next as soon as its last is
     * answered; returns completed texts per second and every answered call's latency.
     */
    private static Step closedLoop(Target t, int callers, int seconds) throws Exception {
        String bearer = t.bearer().get();
        var slots = new Semaphore(callers);
        var latencies = new ConcurrentLinkedQueue<Long>();
        var failed = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        int i = 0;
        while (System.nanoTime() < deadline) {
            slots.acquire();
            long sent = System.nanoTime();
            HTTP.sendAsync(request(t, bearer, i++), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() == 200) {
                    latencies.add(System.nanoTime() - sent);
                } else {
                    failed.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.acquire(callers);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            System.out.printf("  %s at %d callers: %d failed requests%n", t.name(), callers, failed.get());
        }
        return new Step(latencies.size() / elapsed, sorted(latencies), 0);
    }

    /** The service's count of texts embedded and of model calls for the model, from its batching statistics. */
    private static long[] batchCounts(String statsUrl, String token) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(statsUrl)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the service's batching statistics answered " + r.statusCode());
        }
        // the top-level counts: each entry of batch_stats has an execution_count of its own
        JsonNode stats = JSON.readTree(r.body());
        return new long[] {stats.path("inference_count").asLong(), stats.path("execution_count").asLong()};
    }

    private static long[] sorted(Collection<Long> values) {
        long[] out = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
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
