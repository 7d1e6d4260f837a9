package dev.meridian.platform;

import dev.meridian.platform.supervisor.Backoff;
import dev.meridian.platform.supervisor.Child;
import dev.meridian.platform.supervisor.PartStatus;
import dev.meridian.platform.supervisor.Scheduler;
import dev.meridian.platform.supervisor.SupervisedPart;
import dev.meridian.platform.supervisor.Supervisor;
import dev.meridian.stack.ChildProcess;
import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.KafkaPrincipals;
import dev.meridian.stack.KeycloakServer;
import dev.meridian.stack.MailServer;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
    static final String CONTROL_DB = "meridian_control";
    /** Starts block until a part is ready (a minute for Keycloak): each on a virtual thread of its own. */
    private static final java.util.concurrent.Executor STARTS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private Platform() {
    }

    public static RunningPlatform start(PlatformOptions o, Consumer<String> progress) {
        MeridianHome home = MeridianHome.locate();
        Secrets secrets = o.randomSecrets() ? Secrets.random() : Secrets.loadOrCreate(o.stateDir().resolve("secrets.env"));
        var supervisor = new Supervisor(Backoff.DEFAULT, Scheduler.virtualThreads(), Clock.systemUTC(), progress,
                statusFile(o.stateDir()));
        var running = new RunningPlatform(secrets, supervisor, o.stateDir());
        try {
            CompletableFuture<Void> migrations = startServers(home, o, secrets, running, supervisor, progress);
            startServices(home, o, secrets, running, supervisor, migrations, progress);
            var demo = new DemoTenant(running, o.stateDir(), progress).ensure();
            running.demo(demo.tenantId(), demo.apiKey());
            return running;
        } catch (RuntimeException e) {
            running.stop();
            throw e;
        }
    }

    /** Where the supervisor records each part's state for {@code ./platform status}. */
    public static Path statusFile(Path stateDir) {
        return stateDir.resolve("status.tsv");
    }

    /** What {@code ./platform status} prints: every part as the supervisor last recorded it, checked against the processes. */
    public static String statusReport(Path stateDir) {
        Path file = statusFile(stateDir);
        if (!Files.exists(file)) {
            return "Meridian has not been started here (no " + file + ").\n";
        }
        try {
            return PartStatus.table(Supervisor.read(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Starts the servers; returns the database migrations, which run beside Kafka and Keycloak. */
    private static CompletableFuture<Void> startServers(MeridianHome home, PlatformOptions o, Secrets secrets,
            RunningPlatform running, Supervisor supervisor, Consumer<String> progress) {
        Timer t = new Timer(progress);
        progress.accept("Regions: " + String.join(", ", o.gatewayPorts().keySet().stream()
                .map(r -> PlatformOptions.isSovereign(r) ? r + " (sovereign)" : r).toList())
                + "; each runs a models registry, inference, a fine-tune worker and a gateway");
        String pgUrl = System.getenv("MERIDIAN_POSTGRES_URL");
        PostgresServer postgres;
        if (pgUrl != null && !pgUrl.isBlank()) {
            t.starting("PostgreSQL: using the existing server at " + pgUrl);
            postgres = PostgresServer.existing(pgUrl, System.getenv().getOrDefault("MERIDIAN_POSTGRES_USER", "postgres"),
                    System.getenv().getOrDefault("MERIDIAN_POSTGRES_PASSWORD", ""));
            supervisor.watch(() -> new PartStatus("postgres", "external", 0, pgUrl, -1, ""));
        } else {
            t.starting("PostgreSQL (embedded, port " + o.postgresPort() + ", data in " + o.stateDir().resolve("postgres") + ")");
            postgres = PostgresServer.embedded(o.postgresPort(), o.stateDir().resolve("postgres"), o.durable());
            Path dataDir = o.stateDir().resolve("postgres");
            String url = "jdbc:postgresql://localhost:" + o.postgresPort() + "/";
            supervisor.watch(() -> embeddedPostgresStatus(dataDir, url));
        }
        running.postgres(postgres);
        List<String> databases = new ArrayList<>(List.of(CONTROL_DB));
        o.gatewayPorts().keySet().forEach(r -> databases.add(PlatformOptions.regionDatabase(r)));
        postgres.preparePlatform(secrets, databases);
        t.ready("PostgreSQL ready: databases " + String.join(", ", databases));

        // The migrations need only PostgreSQL; Kafka and Keycloak need nothing of each other: all side by side.
        progress.accept("Migrating the databases as " + PostgresServer.OWNER_ROLE + " (tenancy, billing, models "
                + String.join(", ", o.modelsPorts().keySet()) + ") ...");
        CompletableFuture<Void> migrations = migrate(home, o, secrets, running);

        String kafkaUrl = System.getenv("MERIDIAN_KAFKA_BOOTSTRAP");
        CompletableFuture<Void> kafka;
        List<String> regions = new ArrayList<>(o.gatewayPorts().keySet());
        o.modelsPorts().keySet().stream().filter(r -> !regions.contains(r)).forEach(regions::add);
        if (kafkaUrl != null && !kafkaUrl.isBlank()) {
            progress.accept("Kafka: using the existing cluster at " + kafkaUrl + " (" + kafkaProtocol() + ")");
            supervisor.watch(() -> new PartStatus("kafka", "external", 0, kafkaUrl, -1, ""));
            running.kafka(kafkaUrl);
            kafka = CompletableFuture.runAsync(() -> externalKafkaPrincipals(home, kafkaUrl, regions, secrets, progress),
                    STARTS);
        } else {
            progress.accept("Starting Kafka (KRaft, child JVM, port " + o.kafkaPort() + "; SASL/SCRAM, a principal "
                    + "and ACLs per service) ...");
            running.kafka("localhost:" + o.kafkaPort());
            var part = supervisor.add("kafka", "localhost:" + o.kafkaPort(), () -> {
                var broker = KafkaBroker.start(home, secrets, o.kafkaPort(), o.kafkaControllerPort(),
                        o.stateDir().resolve("kafka"), o.logDir(), o.pidDir());
                // on every start: a grant changed in the table takes effect on a restart
                KafkaPrincipals.load(home).apply(broker.adminSettings(), regions, secrets);
                return Child.of(broker.pid(), broker.onExit(), broker::close);
            });
            kafka = CompletableFuture.runAsync(part::start, STARTS);
        }
        // The mail server Keycloak sends its verification mails to (in this JVM; read them over IMAP).
        var mail = MailServer.start(Ports.free(), Ports.free());
        running.mail(mail);
        long supervisorPid = ProcessHandle.current().pid();
        supervisor.watch(() -> new PartStatus("mail", "running", supervisorPid,
                "smtp://" + mail.host() + ":" + mail.smtpPort(), -1,
                "in the supervisor's JVM; read with IMAP " + mail.host() + ":" + mail.imapPort()));
        String kcUrl = System.getenv("MERIDIAN_KEYCLOAK_URL");
        if (kcUrl != null && !kcUrl.isBlank()) {
            t.starting("Keycloak: using the existing server at " + kcUrl);
            var keycloak = KeycloakServer.existing(home, secrets, kcUrl,
                    System.getenv().getOrDefault("MERIDIAN_KEYCLOAK_ADMIN_USER", "admin"),
                    System.getenv().getOrDefault("MERIDIAN_KEYCLOAK_ADMIN_PASSWORD", ""));
            keycloak.useMailServer(mail);
            supervisor.watch(() -> new PartStatus("keycloak", "external", 0, keycloak.url(), -1, ""));
            running.keycloak(keycloak.url());
        } else {
            t.starting("Keycloak (port " + o.keycloakPort() + ", realm meridian; the first start takes a minute)");
            String url = "http://localhost:" + o.keycloakPort();
            supervisor.add("keycloak", url, () -> {
                var keycloak = KeycloakServer.start(home, secrets, o.keycloakPort(), o.keycloakManagementPort(),
                        o.stateDir().resolve("keycloak"), o.logDir(), o.pidDir());
                keycloak.useMailServer(mail);
                return Child.ofPid(keycloak.pid(), keycloak::close);
            }).start();
            running.keycloak(url);
        }
        t.ready("Keycloak ready at " + running.keycloakUrl());
        kafka.join();
        t.ready("Kafka ready at " + running.kafkaBootstrap());
        return migrations;
    }

    /**
     * Runs each service's Flyway migrations, as the owner role, with the service's own jar (tenancy and billing share
     * the control-plane database, in their own schemas and history tables; each region has its models database).
     */
    private static CompletableFuture<Void> migrate(MeridianHome home, PlatformOptions o, Secrets secrets,
            RunningPlatform running) {
        String owner = secrets.get(Secrets.DB_OWNER_PASSWORD);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        runs.add(CompletableFuture.runAsync(() -> ServiceProcess.migrate(home, "migrate-tenancy", "tenancy",
                DatabaseSettings.migration(running.jdbcUrl(CONTROL_DB), owner), o.logDir()), STARTS));
        runs.add(CompletableFuture.runAsync(() -> ServiceProcess.migrate(home, "migrate-billing", "billing",
                DatabaseSettings.migration(running.jdbcUrl(CONTROL_DB), owner), o.logDir()), STARTS));
        for (String region : o.modelsPorts().keySet()) {
            runs.add(CompletableFuture.runAsync(() -> ServiceProcess.migrate(home, "migrate-models-" + region,
                    "services/models",
                    DatabaseSettings.migration(running.jdbcUrl(PlatformOptions.regionDatabase(region)), owner),
                    o.logDir()), STARTS));
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new));
    }

    private static PartStatus embeddedPostgresStatus(Path dataDir, String url) {
        long pid = 0;
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
            }
        } catch (IOException | RuntimeException e) {
            pid = 0;
        }
        boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return new PartStatus("postgres", alive ? "running" : "down", alive ? pid : 0, url, -1,
                alive ? "" : "not restarted by the supervisor: ./platform down && ./platform up (the data stay)");
    }

    private static void startServices(MeridianHome home, PlatformOptions o, Secrets secrets, RunningPlatform running,
            Supervisor supervisor, CompletableFuture<Void> migrations, Consumer<String> progress) {
        Timer t = new Timer(progress);
        String realm = running.keycloakUrl() + "/realms/" + KeycloakServer.REALM;
        Map<String, String> gatewayUrls = new LinkedHashMap<>();
        o.gatewayPorts().forEach((region, port) -> gatewayUrls.put(region, "http://localhost:" + port));
        try {
            migrations.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        t.ready("Databases migrated");

        Map<String, String> tenancy = new LinkedHashMap<>(database(running, secrets, CONTROL_DB));
        tenancy.putAll(kafkaClient(running, secrets, "tenancy"));
        tenancy.put("quarkus.oidc.auth-server-url", realm);
        // partner credentials are Keycloak clients tenancy creates through Keycloak's admin API
        tenancy.put("quarkus.keycloak.admin-client.server-url", running.keycloakUrl());
        tenancy.put("quarkus.keycloak.admin-client.client-secret", secrets.get(Secrets.TENANCY_CLIENT_SECRET));
        gatewayUrls.forEach((region, url) -> {
            tenancy.put("meridian.tenancy.regions." + region + ".gateway-url", url);
            if (PlatformOptions.isSovereign(region)) {
                tenancy.put("meridian.tenancy.regions." + region + ".sovereign", "true");
            }
        });
        t.starting("tenancy (control plane, port " + o.tenancyPort() + ")");
        service(home, o, supervisor, running, "tenancy", "tenancy", o.tenancyPort(), tenancy).start();
        t.ready("tenancy ready at " + running.tenancyUrl());

        Map<String, String> billing = new LinkedHashMap<>(database(running, secrets, CONTROL_DB));
        billing.putAll(kafkaClient(running, secrets, "billing"));
        billing.put("quarkus.oidc.auth-server-url", realm);
        billing.put("meridian.billing.tenancy-url", running.tenancyUrl());
        billing.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.BILLING_CLIENT_SECRET));
        // a developer's budget-alert receiver usually listens on http://localhost; production keeps refusing that
        billing.put("meridian.billing.webhooks.allow-http-and-loopback", "true");
        gatewayUrls.forEach((region, url) -> {
            // the packaged service runs the prod profile, whose %prod values would win over plain ones
            billing.put("%prod.meridian.billing.reconciliation.gateways." + region, url);
        });
        t.starting("billing (control plane: usage, budgets, invoices; port " + o.billingPort() + ")");
        service(home, o, supervisor, running, "billing", "billing", o.billingPort(), billing).start();
        t.ready("billing ready at " + running.billingUrl());

        // Each region's model registry, then its inference service (base models load in a few seconds), then its
        // gateway in front of both.
        Map<String, SupervisedPart> registries = new LinkedHashMap<>();
        o.modelsPorts().forEach((region, port) -> {
            Map<String, String> reg = new LinkedHashMap<>(database(running, secrets,
                    PlatformOptions.regionDatabase(region)));
            reg.put("meridian.models.region", region);
            reg.put("meridian.models.blobs.directory", o.blobDir(region).toString());
            reg.putAll(kafkaClient(running, secrets, "models"));
            reg.put("quarkus.oidc.auth-server-url", realm);
            // tenant exports read the control plane as the models services' own Keycloak client
            reg.put("meridian.models.exports.tenancy-url", running.tenancyUrl());
            reg.put("meridian.models.exports.billing-url", running.billingUrl());
            reg.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.MODELS_CLIENT_SECRET));
            reg.put("meridian.models.exports.link-secret", secrets.get(Secrets.EXPORT_LINK_SECRET));
            progress.accept("Starting models " + region + " (registry, files, fine-tune jobs; port " + port + ") ...");
            registries.put(region, service(home, o, supervisor, running, "models-" + region, "services/models", port,
                    reg));
        });
        startAll(registries, "models", t);

        Map<String, SupervisedPart> inference = new LinkedHashMap<>();
        o.inferencePorts().forEach((region, port) -> {
            Map<String, String> inf = new LinkedHashMap<>();
            inf.put("meridian.inference.region", region);
            inf.put("quarkus.oidc.auth-server-url", realm);
            inf.putAll(kafkaClient(running, secrets, "inference"));
            if (o.modelsPorts().containsKey(region)) {
                inf.put("meridian.inference.tenant-models.registry-url", running.modelsUrl(region));
                inf.put("mp.messaging.incoming.model-changes.enabled", "true");
                inf.put("meridian.inference.tenant-models.blobs.directory", o.blobDir(region).toString());
                // Inference asks the registry which version is deployed, with its own service account.
                inf.put("quarkus.oidc-client.client-id", "meridian-inference");
                inf.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.INFERENCE_CLIENT_SECRET));
            }
            progress.accept("Starting inference " + region + " (ONNX Runtime, port " + port + ") ...");
            inference.put(region, service(home, o, supervisor, running, "inference-" + region, "services/inference",
                    port, inf));
        });
        startAll(inference, "inference", t);

        // A fine-tune worker per region with a models service: it takes jobs from <region>.finetune.jobs.
        for (String region : o.modelsPorts().keySet()) {
            t.starting("fine-tune worker " + region + " (ONNX Runtime, jobs from " + region + ".finetune.jobs)");
            // a Quarkus application: /q/health/ready (its consumers in their groups), /q/metrics, on a port of its own;
            // its heap holds the base model a few times over while it exports the tuned one
            service(home, o, supervisor, running, "worker-" + region, "services/worker", Ports.free(),
                    workerConfig(o, running, secrets, region), "768m").start();
            t.ready("fine-tune worker " + region + " ready");
        }

        Map<String, SupervisedPart> gateways = new LinkedHashMap<>();
        o.gatewayPorts().forEach((region, port) -> {
            Map<String, String> gw = gatewayConfig(o, running, secrets, realm, region, 1);
            progress.accept("Starting gateway " + region + (PlatformOptions.isSovereign(region)
                    ? " (sovereign region, port " : " (port ") + port + ") ...");
            gateways.put(region, service(home, o, supervisor, running, "gateway-" + region, "gateway", port, gw));
        });
        startAll(gateways, "gateway", t);
        running.gatewayReplicas((region, n) -> gatewayReplica(home, o, supervisor, running, secrets, realm, region, n));

        // The web console: a backend-for-frontend over the same management API, through the first region's gateway.
        Map<String, String> console = new LinkedHashMap<>();
        console.put("meridian.console.api-url", gatewayUrls.values().iterator().next());
        console.put("quarkus.oidc.auth-server-url", realm);
        console.put("quarkus.oidc.credentials.secret", secrets.get(Secrets.CONSOLE_CLIENT_SECRET));
        t.starting("console (web console, port " + o.consolePort() + ")");
        service(home, o, supervisor, running, "console", "services/console", o.consolePort(), console).start();
        t.ready("console ready at " + running.consoleUrl());
    }

    /**
     * A service's Kafka client settings: the cluster, and the service's own principal and password (the embedded
     * broker's ACLs allow each principal only its topics and groups).
     */
    private static Map<String, String> kafkaClient(RunningPlatform running, Secrets secrets, String principal) {
        return Map.of("kafka.bootstrap.servers", running.kafkaBootstrap(), "kafka.security.protocol", kafkaProtocol(),
                "meridian.kafka.username", principal, "meridian.kafka.password", secrets.kafkaPassword(principal));
    }

    /** SASL_PLAINTEXT (the embedded broker), or what MERIDIAN_KAFKA_SECURITY_PROTOCOL says for an existing cluster. */
    private static String kafkaProtocol() {
        String external = System.getenv("MERIDIAN_KAFKA_BOOTSTRAP");
        String protocol = System.getenv("MERIDIAN_KAFKA_SECURITY_PROTOCOL");
        return external == null || external.isBlank() || protocol == null || protocol.isBlank() ? "SASL_PLAINTEXT"
                : protocol.strip().toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * An existing cluster: with MERIDIAN_KAFKA_ADMIN_USERNAME and MERIDIAN_KAFKA_ADMIN_PASSWORD (a SCRAM-SHA-512
     * super user), creates the services' principals and ACLs there as on the embedded broker; without them, says
     * that they must exist. A cluster without authentication (MERIDIAN_KAFKA_SECURITY_PROTOCOL=PLAINTEXT) has none.
     */
    private static void externalKafkaPrincipals(MeridianHome home, String bootstrap, List<String> regions,
            Secrets secrets, Consumer<String> progress) {
        String protocol = kafkaProtocol();
        if (protocol.equals("PLAINTEXT")) {
            progress.accept("Kafka: no authentication on " + bootstrap + " (MERIDIAN_KAFKA_SECURITY_PROTOCOL=PLAINTEXT): "
                    + "every client there may read and write every topic");
            return;
        }
        String user = System.getenv("MERIDIAN_KAFKA_ADMIN_USERNAME");
        String password = System.getenv("MERIDIAN_KAFKA_ADMIN_PASSWORD");
        if (user == null || user.isBlank() || password == null || password.isBlank()) {
            progress.accept("Kafka: the services connect as their own principals (" + String.join(", ",
                    KafkaPrincipals.load(home).all().stream().map(KafkaPrincipals.Principal::service).toList())
                    + ") with the passwords in " + "the platform's secrets; set MERIDIAN_KAFKA_ADMIN_USERNAME and "
                    + "MERIDIAN_KAFKA_ADMIN_PASSWORD to have them and their ACLs created");
            return;
        }
        KafkaPrincipals.load(home).apply(Map.of("bootstrap.servers", bootstrap, "security.protocol", protocol,
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";"), regions, secrets);
        progress.accept("Kafka: the services' principals and ACLs are in place on " + bootstrap);
    }

    /** A Quarkus service as a supervised part (not yet started): every restart runs the same jar with the same config. */
    /** A gateway replica's settings: replica {@code n} of {@code region} has its own id and spool. */
    private static Map<String, String> gatewayConfig(PlatformOptions o, RunningPlatform running, Secrets secrets,
            String realm, String region, int n) {
        Map<String, String> gw = new LinkedHashMap<>();
        gw.put("meridian.gateway.region", region);
        gw.put("meridian.gateway.gateway-id", region + "-" + n);
        gw.put("meridian.gateway.billing-url", running.billingUrl());
        gw.put("meridian.gateway.metering.spool-dir", o.stateDir().resolve("spool").resolve(region + "-" + n).toString());
        gw.put("meridian.gateway.tenancy-url", running.tenancyUrl());
        gw.putAll(kafkaClient(running, secrets, "gateway"));
        gw.put("quarkus.oidc.auth-server-url", realm);
        gw.put("quarkus.oidc-client.auth-server-url", realm);
        gw.put("quarkus.oidc-client.credentials.secret", secrets.get(Secrets.GATEWAY_CLIENT_SECRET));
        if (PlatformOptions.isSovereign(region)) {
            // serves only its own tenants; forwards nothing out and accepts nothing forwarded in
            gw.put("meridian.gateway.sovereign", "true");
        }
        if (o.inferencePorts().containsKey(region)) {
            gw.put("meridian.gateway.inference-url", running.inferenceUrl(region));
        }
        if (o.modelsPorts().containsKey(region)) {
            gw.put("meridian.gateway.models-url", running.modelsUrl(region));
        }
        return gw;
    }

    /**
     * Starts replica {@code n} (2, 3, ...) of a region's gateway on a free port, supervised as
     * {@code gateway-<region>-<n>}; it is not listed among the regions' gateways (tenancy sends forwarded calls to the
     * first). For tests of what several replicas of one region must agree on, e.g. a key's one rate limit.
     */
    private static SupervisedPart gatewayReplica(MeridianHome home, PlatformOptions o, Supervisor supervisor,
            RunningPlatform running, Secrets secrets, String realm, String region, int n) {
        String name = "gateway-" + region + "-" + n;
        var started = supervisor.parts().stream().filter(p -> p.name().equals(name)).findFirst();
        if (started.isPresent()) { // started before (and perhaps stopped): the same port and spool again
            if (started.get().state() == SupervisedPart.State.STOPPED) {
                started.get().start();
            }
            return started.get();
        }
        int port = Ports.free();
        Map<String, String> gw = gatewayConfig(o, running, secrets, realm, region, n);
        SupervisedPart part = supervisor.add(name, "http://localhost:" + port, () -> {
            var process = ServiceProcess.start(home, name, "gateway", port, gw, o.logDir(), o.pidDir());
            return Child.of(process.pid(), process.onExit(), process::close);
        });
        part.start();
        return part;
    }

    private static SupervisedPart service(MeridianHome home, PlatformOptions o, Supervisor supervisor,
            RunningPlatform running, String name, String module, int port, Map<String, String> config) {
        return service(home, o, supervisor, running, name, module, port, config, "512m");
    }

    private static SupervisedPart service(MeridianHome home, PlatformOptions o, Supervisor supervisor,
            RunningPlatform running, String name, String module, int port, Map<String, String> config,
            String maxHeap) {
        String url = "http://localhost:" + port;
        running.url(name, url);
        return supervisor.add(name, url, () -> {
            var process = ServiceProcess.start(home, name, module, port, config, o.logDir(), o.pidDir(), maxHeap);
            return Child.of(process.pid(), process.onExit(), process::close);
        });
    }

    /** A region's fine-tune worker ({@code meridian.worker.*}, see the worker's WorkerConfig). */
    private static Map<String, String> workerConfig(PlatformOptions o, RunningPlatform running, Secrets secrets,
            String region) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put("meridian.worker.region", region);
        w.put("meridian.worker.kafka-bootstrap", running.kafkaBootstrap());
        w.put("meridian.worker.kafka-security-protocol", kafkaProtocol());
        w.put("meridian.worker.kafka-password", secrets.kafkaPassword("worker"));
        w.put("meridian.worker.blobs.directory", o.blobDir(region).toString());
        w.put("meridian.worker.id", "worker-" + region + "-1");
        return w;
    }

    /** A running service's datasource: the app role only (subject to RLS); see {@link DatabaseSettings}. */
    private static Map<String, String> database(RunningPlatform running, Secrets secrets, String database) {
        return DatabaseSettings.service(running.jdbcUrl(database), secrets.get(Secrets.DB_APP_PASSWORD));
    }

    /** Starts parts side by side; waits for all, then fails if any did not start. */
    private static void startAll(Map<String, SupervisedPart> parts, String kind, Timer t) {
        Map<String, CompletableFuture<Void>> starts = new LinkedHashMap<>();
        parts.forEach((region, part) -> starts.put(region, CompletableFuture.runAsync(part::start, STARTS)));
        RuntimeException failure = null;
        for (var start : starts.entrySet()) {
            try {
                start.getValue().join();
                t.ready(kind + " " + start.getKey() + " ready at " + parts.get(start.getKey()).url());
            } catch (java.util.concurrent.CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                failure = failure == null ? cause : failure;
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
            case "up" -> up(state, regionsFlag(args));
            case "token" -> System.out.println(token(state, args.length > 1 && args[1].equals("operator")));
            case "status" -> System.out.print(statusReport(state));
            default -> {
                System.err.println("usage: Platform up [--regions eu-central,us-east,cn-north]|status|token");
                System.exit(2);
            }
        }
    }

    /**
     * The regions {@code up} runs: {@code --regions a,b} or {@code --regions=a,b}, else the two default ones; exits 2
     * with the reason and the known regions when the flag is wrong.
     */
    private static List<String> regionsFlag(String[] args) {
        for (int i = 1; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--regions")) {
                value = i + 1 < args.length ? args[i + 1] : "";
                i++;
            } else if (args[i].startsWith("--regions=")) {
                value = args[i].substring("--regions=".length());
            } else {
                System.out.println(FAILED + " unknown option '" + args[i] + "'. ./platform up takes --regions"
                        + " eu-central,us-east,cn-north (default: " + String.join(",", PlatformOptions.DEFAULT_REGIONS)
                        + ").");
                System.exit(2);
            }
            try {
                return PlatformOptions.regions(value);
            } catch (IllegalArgumentException e) {
                System.out.println(FAILED + " " + e.getMessage());
                System.exit(2);
            }
        }
        return PlatformOptions.DEFAULT_REGIONS;
    }

    private static void up(Path state, List<String> regions) throws InterruptedException {
        long t0 = System.nanoTime();
        Consumer<String> progress = line -> System.out.println("[platform] " + line);
        RunningPlatform running;
        try {
            running = start(PlatformOptions.defaults(state, regions), progress);
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
        running.status().stream().filter(p -> p.name().matches("tenancy|billing|console|(gateway|models|inference)-.+"))
                .forEach(p -> System.out.printf("  Metrics %-20s %s/q/metrics%n", p.name(), p.url()));
        System.out.println("  " + tracing(System.getenv("QUARKUS_OTEL_TRACES_SAMPLER_ARG"),
                System.getenv("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")));
        System.out.println("  Mail (sign-up verification) " + running.mailDescription());
        System.out.flush();
        new CountDownLatch(1).await(); // supervise until ./platform down sends SIGTERM
    }

    /** Where traces go, as the services (which inherit this environment) will export them. */
    static String tracing(String sampleRatio, String endpoint) {
        String to = endpoint == null || endpoint.isBlank() ? "http://localhost:4317" : endpoint;
        if (sampleRatio == null || sampleRatio.isBlank() || sampleRatio.strip().matches("0*(\\.0*)?")) {
            return "Traces: not exported (QUARKUS_OTEL_TRACES_SAMPLER_ARG=1 ./platform up sends every trace over OTLP to "
                    + to + "; docs/operations.md#traces)";
        }
        return "Traces: a share of " + sampleRatio.strip() + " exported over OTLP to " + to;
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
