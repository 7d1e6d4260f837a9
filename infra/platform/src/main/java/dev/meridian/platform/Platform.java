package dev.meridian.platform;

import dev.meridian.stack.ChildProcess;
import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.KeycloakServer;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Starts the whole platform the way {@code ./platform up} does: PostgreSQL, Kafka and Keycloak (embedded, or the
 * existing servers named by environment variables), then tenancy and a gateway per local region, then the demo
 * tenant. The end-to-end tests start it through the same {@link #start} method.
 */
public final class Platform {

    /** The line ./platform waits for; keep in step with the script. */
    public static final String READY = "Meridian is up.";
    public static final String FAILED = "FAILED:";

    private Platform() {
    }

    public static RunningPlatform start(PlatformOptions o, Consumer<String> progress) {
        MeridianHome home = MeridianHome.locate();
        Secrets secrets = o.randomSecrets() ? Secrets.random() : Secrets.loadOrCreate(o.stateDir().resolve("secrets.env"));
        var running = new RunningPlatform(secrets);
        try {
            startServers(home, o, secrets, running, progress);
            startServices(home, o, secrets, running, progress);
            var demo = new DemoTenant(running, o.stateDir(), progress).ensure();
            running.demo(demo.tenantId(), demo.apiKey());
            return running;
        } catch (RuntimeException e) {
            running.stop();
            throw e;
        }
    }

    private static void startServers(MeridianHome home, PlatformOptions o, Secrets secrets, RunningPlatform running,
            Consumer<String> progress) {
        Timer t = new Timer(progress);
        String pgUrl = System.getenv("MERIDIAN_POSTGRES_URL");
        PostgresServer postgres;
        if (pgUrl != null && !pgUrl.isBlank()) {
            t.starting("PostgreSQL: using the existing server at " + pgUrl);
            postgres = PostgresServer.existing(pgUrl, System.getenv().getOrDefault("MERIDIAN_POSTGRES_USER", "postgres"),
                    System.getenv().getOrDefault("MERIDIAN_POSTGRES_PASSWORD", ""));
        } else {
            t.starting("PostgreSQL (embedded, port " + o.postgresPort() + ", data in " + o.stateDir().resolve("postgres") + ")");
            postgres = PostgresServer.embedded(o.postgresPort(), o.stateDir().resolve("postgres"), o.durable());
        }
        running.postgres(postgres);
        List<String> databases = new ArrayList<>(List.of("meridian_control"));
        o.gatewayPorts().keySet().forEach(r -> databases.add(PlatformOptions.regionDatabase(r)));
        postgres.preparePlatform(secrets, databases);
        t.ready("PostgreSQL ready: databases " + String.join(", ", databases));

        // Kafka and Keycloak do not need each other: start them side by side.
        String kafkaUrl = System.getenv("MERIDIAN_KAFKA_BOOTSTRAP");
        CompletableFuture<KafkaBroker> kafka;
        if (kafkaUrl != null && !kafkaUrl.isBlank()) {
            progress.accept("Kafka: using the existing cluster at " + kafkaUrl);
            kafka = CompletableFuture.completedFuture(null);
        } else {
            progress.accept("Starting Kafka (KRaft, child JVM, port " + o.kafkaPort() + ") ...");
            kafka = CompletableFuture.supplyAsync(() -> KafkaBroker.start(home, o.kafkaPort(), o.kafkaControllerPort(),
                    o.stateDir().resolve("kafka"), o.logDir(), o.pidDir()));
        }
        String kcUrl = System.getenv("MERIDIAN_KEYCLOAK_URL");
        KeycloakServer keycloak;
        if (kcUrl != null && !kcUrl.isBlank()) {
            t.starting("Keycloak: using the existing server at " + kcUrl);
            keycloak = KeycloakServer.existing(home, secrets, kcUrl,
                    System.getenv().getOrDefault("MERIDIAN_KEYCLOAK_ADMIN_USER", "admin"),
                    System.getenv().getOrDefault("MERIDIAN_KEYCLOAK_ADMIN_PASSWORD", ""));
        } else {
            t.starting("Keycloak (port " + o.keycloakPort() + ", realm meridian; the first start takes a minute)");
            keycloak = KeycloakServer.start(home, secrets, o.keycloakPort(), o.keycloakManagementPort(),
                    o.stateDir().resolve("keycloak"), o.logDir(), o.pidDir());
        }
        running.keycloak(keycloak);
        t.ready("Keycloak ready at " + keycloak.url());
        KafkaBroker broker = kafka.join();
        running.kafka(broker, broker == null ? kafkaUrl : broker.bootstrapServers());
        t.ready("Kafka ready at " + running.kafkaBootstrap());
    }

    private static void startServices(MeridianHome home, PlatformOptions o, Secrets secrets, RunningPlatform running,
            Consumer<String> progress) {
        Timer t = new Timer(progress);
        String realm = running.keycloakUrl() + "/realms/" + KeycloakServer.REALM;
        Map<String, String> gatewayUrls = new LinkedHashMap<>();
        o.gatewayPorts().forEach((region, port) -> gatewayUrls.put(region, "http://localhost:" + port));

        Map<String, String> tenancy = new LinkedHashMap<>(database(running, secrets, "meridian_control"));
        tenancy.put("kafka.bootstrap.servers", running.kafkaBootstrap());
        tenancy.put("quarkus.oidc.auth-server-url", realm);
        gatewayUrls.forEach((region, url) -> tenancy.put("meridian.tenancy.regions." + region + ".gateway-url", url));
        tenancy.put("meridian.tenancy.invitations.require-verified-email", "false");
        t.starting("tenancy (control plane, port " + o.tenancyPort() + ")");
        var tenancyProcess = ServiceProcess.start(home, "tenancy", "tenancy", o.tenancyPort(), tenancy, o.logDir(),
                o.pidDir());
        running.tenancy(tenancyProcess);
        t.ready("tenancy ready at " + tenancyProcess.url());

        Map<String, String> billing = new LinkedHashMap<>(database(running, secrets, "meridian_control"));
        billing.put("kafka.bootstrap.servers", running.kafkaBootstrap());
        billing.put("quarkus.oidc.auth-server-url", realm);
        billing.put("meridian.billing.tenancy-url", tenancyProcess.url());
        billing.put("meridian.billing.reconciliation.client-secret", secrets.get(Secrets.BILLING_CLIENT_SECRET));
        gatewayUrls.forEach((region, url) -> {
            // the packaged service runs the prod profile, whose %prod values would win over plain ones
            billing.put("%prod.meridian.billing.reconciliation.gateways." + region, url);
        });
        t.starting("billing (control plane: usage, budgets, invoices; port " + o.billingPort() + ")");
        var billingProcess = ServiceProcess.start(home, "billing", "billing", o.billingPort(), billing, o.logDir(),
                o.pidDir());
        running.billing(billingProcess);
        t.ready("billing ready at " + billingProcess.url());

        // Each region's model registry, then its inference service (base models load in a few seconds), then its
        // gateway in front of both.
        List<CompletableFuture<Map.Entry<String, ServiceProcess>>> registries = new ArrayList<>();
        o.modelsPorts().forEach((region, port) -> {
            Map<String, String> reg = new LinkedHashMap<>(database(running, secrets,
                    PlatformOptions.regionDatabase(region)));
            reg.put("meridian.models.region", region);
            reg.put("meridian.models.blobs.directory", o.blobDir(region).toString());
            reg.put("kafka.bootstrap.servers", running.kafkaBootstrap());
            reg.put("quarkus.oidc.auth-server-url", realm);
            progress.accept("Starting models " + region + " (registry, files, fine-tune jobs; port " + port + ") ...");
            registries.add(CompletableFuture.supplyAsync(() -> Map.entry(region,
                    ServiceProcess.start(home, "models-" + region, "services/models", port, reg, o.logDir(),
                            o.pidDir()))));
        });
        joinAll(registries, running::models, "models", t);

        List<CompletableFuture<Map.Entry<String, ServiceProcess>>> models = new ArrayList<>();
        o.inferencePorts().forEach((region, port) -> {
            Map<String, String> inf = new LinkedHashMap<>();
            inf.put("meridian.inference.region", region);
            inf.put("quarkus.oidc.auth-server-url", realm);
            inf.put("kafka.bootstrap.servers", running.kafkaBootstrap());
            if (o.modelsPorts().containsKey(region)) {
                inf.put("meridian.inference.tenant-models.registry-url", running.modelsUrl(region));
                inf.put("meridian.inference.tenant-models.blobs.directory", o.blobDir(region).toString());
                // Inference asks the registry which version is deployed, with its own service account.
                inf.put("quarkus.oidc-client.client-id", "meridian-inference");
                inf.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.INFERENCE_CLIENT_SECRET));
            }
            progress.accept("Starting inference " + region + " (ONNX Runtime, port " + port + ") ...");
            models.add(CompletableFuture.supplyAsync(() -> Map.entry(region,
                    ServiceProcess.start(home, "inference-" + region, "services/inference", port, inf, o.logDir(),
                            o.pidDir()))));
        });
        joinAll(models, running::inference, "inference", t);

        // A fine-tune worker per region with a models service: it takes jobs from <region>.finetune.jobs.
        for (String region : o.modelsPorts().keySet()) {
            t.starting("fine-tune worker " + region + " (ONNX Runtime, jobs from " + region + ".finetune.jobs)");
            running.worker(startWorker(home, o, running, region));
            t.ready("fine-tune worker " + region + " ready");
        }

        List<CompletableFuture<Map.Entry<String, ServiceProcess>>> starts = new ArrayList<>();
        o.gatewayPorts().forEach((region, port) -> {
            Map<String, String> gw = new LinkedHashMap<>();
            gw.put("meridian.gateway.region", region);
            gw.put("meridian.gateway.gateway-id", region + "-1");
            gw.put("meridian.gateway.billing-url", billingProcess.url());
            gw.put("meridian.gateway.metering.spool-dir", o.stateDir().resolve("spool").resolve(region + "-1").toString());
            gw.put("meridian.gateway.tenancy-url", tenancyProcess.url());
            gw.put("kafka.bootstrap.servers", running.kafkaBootstrap());
            gw.put("quarkus.oidc.auth-server-url", realm);
            gw.put("quarkus.oidc-client.auth-server-url", realm);
            gw.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.GATEWAY_CLIENT_SECRET));
            if (o.inferencePorts().containsKey(region)) {
                gw.put("meridian.gateway.inference-url", running.inferenceUrl(region));
            }
            if (o.modelsPorts().containsKey(region)) {
                gw.put("meridian.gateway.models-url", running.modelsUrl(region));
            }
            progress.accept("Starting gateway " + region + " (port " + port + ") ...");
            starts.add(CompletableFuture.supplyAsync(() -> Map.entry(region,
                    ServiceProcess.start(home, "gateway-" + region, "gateway", port, gw, o.logDir(), o.pidDir()))));
        });
        joinAll(starts, running::gateway, "gateway", t);
    }

    /** The worker is a plain Java program (services/worker/target/classes + lib); ready once it has subscribed. */
    private static ChildProcess startWorker(MeridianHome home, PlatformOptions o, RunningPlatform running,
            String region) {
        Path module = home.root().resolve("services/worker/target");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx768m",
                "-Dmeridian.worker.region=" + region,
                "-Dmeridian.worker.kafka-bootstrap=" + running.kafkaBootstrap(),
                "-Dmeridian.worker.blobs.directory=" + o.blobDir(region),
                "-Dmeridian.worker.id=worker-" + region + "-1",
                "-cp", module.resolve("classes") + java.io.File.pathSeparator + module.resolve("lib") + "/*",
                "dev.meridian.worker.WorkerMain");
        String name = "worker-" + region;
        var child = ChildProcess.start(name, command, Map.of(), home.root(), o.logDir().resolve(name + ".log"),
                o.pidDir());
        child.awaitReady(() -> child.outputSinceStart().contains("fine-tuning jobs"), java.time.Duration.ofSeconds(60));
        return child;
    }

    /** A service's datasource (the app role, subject to RLS) and its Flyway migrations (the owner role). */
    private static Map<String, String> database(RunningPlatform running, Secrets secrets, String database) {
        Map<String, String> db = new LinkedHashMap<>();
        db.put("quarkus.datasource.jdbc.url", running.jdbcUrl(database));
        db.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
        db.put("quarkus.datasource.password", secrets.get(Secrets.DB_APP_PASSWORD));
        db.put("quarkus.flyway.jdbc-url", running.jdbcUrl(database));
        db.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
        db.put("quarkus.flyway.password", secrets.get(Secrets.DB_OWNER_PASSWORD));
        return db;
    }

    /** Waits for services started side by side; records each that started, then fails if any did not. */
    private static void joinAll(List<CompletableFuture<Map.Entry<String, ServiceProcess>>> starts,
            java.util.function.BiConsumer<String, ServiceProcess> record, String kind, Timer t) {
        RuntimeException failure = null;
        for (var start : starts) {
            try {
                var started = start.join();
                record.accept(started.getKey(), started.getValue());
                t.ready(kind + " " + started.getKey() + " ready at " + started.getValue().url());
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Prints "Starting X ..." and "X ready (N s)" lines. */
    private static final class Timer {
        private final Consumer<String> out;
        private long start = System.nanoTime();

        Timer(Consumer<String> out) {
            this.out = out;
        }

        void starting(String what) {
            start = System.nanoTime();
            out.accept("Starting " + what + " ...");
        }

        void ready(String what) {
            out.accept(String.format("%s (%.1f s)", what, (System.nanoTime() - start) / 1e9));
        }
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        Path state = MeridianHome.locate().root().resolve(".platform");
        switch (command) {
            case "up" -> up(state);
            case "token" -> System.out.println(token(state, args.length > 1 && args[1].equals("operator")));
            default -> {
                System.err.println("usage: Platform up|token");
                System.exit(2);
            }
        }
    }

    private static void up(Path state) throws InterruptedException {
        long t0 = System.nanoTime();
        Consumer<String> progress = line -> System.out.println("[platform] " + line);
        RunningPlatform running;
        try {
            running = start(PlatformOptions.defaults(state), progress);
        } catch (RuntimeException e) {
            System.out.println(FAILED + " " + e.getMessage());
            System.out.flush();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[platform] stopping ...");
            running.stop();
            System.out.println("[platform] stopped");
        }, "platform-stop"));
        System.out.printf("%s (%.1f s)%n", READY, (System.nanoTime() - t0) / 1e9);
        System.out.println(DemoTenant.summary(running));
        System.out.flush();
        new CountDownLatch(1).await(); // supervise until ./platform down sends SIGTERM
    }

    /**
     * A fresh access token of the demo user (or of the platform operator, who may change plans and grant credits),
     * by the same PKCE login the console uses.
     */
    private static String token(Path state, boolean operator) {
        Secrets secrets = Secrets.loadOrCreate(state.resolve("secrets.env"));
        String keycloak = DemoTenant.readEnv(state).getOrDefault("MERIDIAN_KEYCLOAK_URL", "http://localhost:18080");
        return operator
                ? OidcBrowser.login(keycloak, "operator@meridian.local", secrets.get(Secrets.OPERATOR_PASSWORD)).accessToken()
                : OidcBrowser.login(keycloak, DemoTenant.DEMO_USER, secrets.get(Secrets.DEMO_PASSWORD)).accessToken();
    }

}
