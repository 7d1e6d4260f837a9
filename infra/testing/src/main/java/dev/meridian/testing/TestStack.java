package dev.meridian.testing;

import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.KafkaPrincipals;
import dev.meridian.stack.KeycloakAdmin;
import dev.meridian.stack.KeycloakServer;
import dev.meridian.stack.MailServer;
import dev.meridian.stack.Mailbox;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The real servers a test JVM shares: embedded PostgreSQL (roles and databases as in production), a Kafka broker in
 * KRaft mode, Keycloak with the {@code meridian} realm, and the mail server Keycloak sends verification mails to.
 * Started on first use, once per JVM, on free ports with random secrets made once per build, and stopped when the
 * JVM exits. Quarkus loads this class once per application class loader (a test profile or class-restricted test
 * resources get their own), so the first start records where the servers are in a JVM-wide system property and every
 * later copy of this class attaches to them.
 */
public final class TestStack {

    public static final String CONTROL_DB = "meridian_control";
    public static final List<String> DATABASES = List.of(CONTROL_DB, "meridian_eu_central", "meridian_us_east");
    /** The regions tests run services in: each service's Kafka principal is granted its topics in both. */
    public static final List<String> REGIONS = List.of("eu-central", "us-east");

    /** System property naming the file that says where this JVM's servers run, once they do. */
    static final String RUNNING = "meridian.test-stack.running";

    private static TestStack instance;
    private static RuntimeException failure;

    private final Secrets secrets;
    private final PostgresServer postgres;
    private final String kafkaBootstrap;
    private final long kafkaPid;
    private final String keycloakUrl;
    private final Mailbox mailbox;

    private TestStack(Secrets secrets, PostgresServer postgres, String kafkaBootstrap, long kafkaPid,
            String keycloakUrl, Mailbox mailbox) {
        this.secrets = secrets;
        this.postgres = postgres;
        this.kafkaBootstrap = kafkaBootstrap;
        this.kafkaPid = kafkaPid;
        this.keycloakUrl = keycloakUrl;
        this.mailbox = mailbox;
    }

    public static synchronized TestStack get() {
        if (failure != null) {
            throw new IllegalStateException("the test servers failed to start earlier in this JVM", failure);
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    private static TestStack start() {
        String running = System.getProperty(RUNNING);
        if (running != null) {
            return attach(Path.of(running));
        }
        try {
            MeridianHome home = MeridianHome.locate();
            Path stacks = Files.createDirectories(home.root().resolve("target/test-stack"));
            Path state = stacks.resolve("run-" + ProcessHandle.current().pid());
            Path logs = state.resolve("logs");
            Secrets secrets = buildSecrets(stacks);
            long t0 = System.nanoTime();

            var postgres = PostgresServer.embedded(Ports.free(), state.resolve("postgres"), false);
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "test-postgres-stop"));
            postgres.preparePlatform(secrets, DATABASES);
            log("PostgreSQL ready", t0);
            // Kafka and Keycloak start in parallel: they are independent and each takes seconds.
            var kafkaStart = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                var broker = KafkaBroker.start(home, secrets, Ports.free(), Ports.free(), state.resolve("kafka"), logs,
                        null);
                KafkaPrincipals.load(home).apply(broker.adminSettings(), REGIONS, secrets);
                return broker;
            });
            // Keycloak's data lives in its install folder, so each test JVM gets its own, copied from the database
            // seeded once per build with the realm (the build's secrets), so no start creates the schema or imports.
            var keycloak = KeycloakServer.start(home, secrets, Ports.free(), Ports.free(), state.resolve("keycloak"),
                    logs, null, true);
            log("Keycloak ready at " + keycloak.url(), t0);
            var mail = MailServer.start(Ports.free(), Ports.free());
            Runtime.getRuntime().addShutdownHook(new Thread(mail::close, "test-mail-stop"));
            keycloak.useMailServer(mail);
            log("Mail server ready: " + mail.describe(), t0);
            var kafka = kafkaStart.join();
            log("Kafka ready at " + kafka.bootstrapServers() + ", with the services' principals and ACLs", t0);
            var stack = new TestStack(secrets, postgres, kafka.bootstrapServers(), kafka.pid(), keycloak.url(),
                    mail.mailbox());
            stack.record(state);
            return stack;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The secrets every test JVM of this build shares (random, made by the first, mode 600 under {@code target/}):
     * one realm, so one seeded Keycloak database, serves them all. Made under a file lock, as JVMs may start at once.
     */
    private static Secrets buildSecrets(Path stacks) throws IOException {
        try (var lock = java.nio.channels.FileChannel.open(stacks.resolve("secrets.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                var held = lock.lock()) {
            return Secrets.loadOrCreate(stacks.resolve("secrets.env"));
        }
    }

    /** Writes where the servers are (and their secrets, readable by this user only) for other class loaders. */
    private void record(Path state) throws IOException {
        Path secretsFile = state.resolve("secrets.env");
        var text = new StringBuilder();
        secrets.asMap().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(secretsFile, text);
        Files.setPosixFilePermissions(secretsFile,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path file = state.resolve("running.properties");
        Files.writeString(file, String.join("\n", "postgres=" + postgres.jdbcUrl("postgres"), "kafka=" + kafkaBootstrap,
                "kafka-pid=" + kafkaPid,
                "keycloak=" + keycloakUrl, "mail-imap-port=" + mailbox.imapPort(), "secrets=" + secretsFile, ""));
        System.setProperty(RUNNING, file.toString());
    }

    /** The servers another class loader of this JVM started. */
    private static TestStack attach(Path file) {
        try (var in = Files.newBufferedReader(file)) {
            var p = new java.util.Properties();
            p.load(in);
            return new TestStack(Secrets.loadOrCreate(Path.of(p.getProperty("secrets"))),
                    PostgresServer.existing(p.getProperty("postgres"), "postgres", ""), p.getProperty("kafka"),
                    Long.parseLong(p.getProperty("kafka-pid")),
                    p.getProperty("keycloak"),
                    new Mailbox("127.0.0.1", Integer.parseInt(p.getProperty("mail-imap-port"))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read where this JVM's test servers run from " + file, e);
        }
    }

    private static void log(String what, long t0) {
        System.out.printf("[test-stack] %s (%.1f s)%n", what, (System.nanoTime() - t0) / 1e9);
    }

    public Secrets secrets() {
        return secrets;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /**
     * A service process's Kafka settings as its principal {@code principal}: the broker, and the principal's password
     * (the service's own configuration names the principal).
     */
    public Map<String, String> kafkaServiceConfig(String principal) {
        return Map.of("kafka.bootstrap.servers", kafkaBootstrap, "meridian.kafka.password",
                secrets.kafkaPassword(principal));
    }

    /** The broker's process, for tests of an outage (SIGSTOP/SIGCONT). */
    public long kafkaPid() {
        return kafkaPid;
    }

    /**
     * Settings of a Kafka client that is the broker's administrator (a super user, which no ACL limits), plus {@code
     * extra}: for tests that put records where a service reads them or read what a service wrote.
     */
    public Map<String, Object> kafkaAdmin(Map<String, ?> extra) {
        Map<String, Object> all = new HashMap<>(KafkaBroker.adminSettings(kafkaBootstrap,
                secrets.kafkaPassword(KafkaBroker.ADMIN)));
        all.putAll(extra);
        return all;
    }

    /** As {@link #kafkaAdmin(Map)}, as {@link Properties}. */
    public Properties kafkaAdminProperties() {
        Properties p = new Properties();
        p.putAll(kafkaAdmin(Map.of()));
        return p;
    }

    /**
     * Settings of a Kafka client that is service {@code principal} (SCRAM-SHA-512, that service's password), plus
     * {@code extra}: what that service's ACLs allow it and nothing more.
     */
    public Map<String, Object> kafkaAs(String principal, Map<String, ?> extra) {
        Map<String, Object> all = new HashMap<>(Map.of("bootstrap.servers", kafkaBootstrap,
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + principal
                        + "\" password=\"" + secrets.kafkaPassword(principal) + "\";"));
        all.putAll(extra);
        return all;
    }

    public String keycloakUrl() {
        return keycloakUrl;
    }

    public String realmUrl() {
        return keycloakUrl + "/realms/" + KeycloakServer.REALM;
    }

    /** Logs a user in through Keycloak's real login page (code flow + PKCE of the console client). */
    public Tokens login(String username, String password) {
        return OidcBrowser.login(keycloakUrl(), username, password);
    }

    /**
     * Signs a new user up through Keycloak's real registration page, and verifies their address by following the
     * link in the mail Keycloak sent (the realm lets nobody sign in with an unverified address).
     */
    public Tokens signUp(String email, String password) {
        return OidcBrowser.signUp(keycloakUrl(), mailbox, email, password, "Test", "User");
    }

    /** A fresh user with a unique e-mail, signed up and verified; returns their access token. */
    public SignedUpUser newUser() {
        String email = "user-" + UUID.randomUUID().toString().substring(0, 12) + "@example.test";
        String password = "Pw-" + UUID.randomUUID();
        Tokens tokens = signUp(email, password);
        return new SignedUpUser(email, password, tokens.accessToken(), tokens.refreshToken());
    }

    public record SignedUpUser(String email, String password, String accessToken, String refreshToken) {
    }

    /** The mails Keycloak sent (e-mail verification), as their recipients read them. */
    public Mailbox mailbox() {
        return mailbox;
    }

    /** Keycloak's admin API on the realm, for what an operator or a person's account page does to a user. */
    public KeycloakAdmin keycloakAdmin() {
        return new KeycloakAdmin(keycloakUrl, "admin", secrets.get(Secrets.KEYCLOAK_ADMIN_PASSWORD));
    }

    public String demoToken() {
        return login("demo@meridian.local", secrets.get(Secrets.DEMO_PASSWORD)).accessToken();
    }

    public String operatorToken() {
        return login("operator@meridian.local", secrets.get(Secrets.OPERATOR_PASSWORD)).accessToken();
    }

    /** A client-credentials token of one of the service clients, e.g. {@code meridian-gateway}. */
    public String serviceToken(String clientId) {
        String secret = switch (clientId) {
            case "meridian-gateway" -> secrets.get(Secrets.GATEWAY_CLIENT_SECRET);
            case "meridian-tenancy" -> secrets.get(Secrets.TENANCY_CLIENT_SECRET);
            case "meridian-partner" -> secrets.get(Secrets.PARTNER_CLIENT_SECRET);
            case "meridian-billing" -> secrets.get(Secrets.BILLING_CLIENT_SECRET);
            case "meridian-inference" -> secrets.get(Secrets.INFERENCE_CLIENT_SECRET);
            case "meridian-worker" -> secrets.get(Secrets.WORKER_CLIENT_SECRET);
            case "meridian-models" -> secrets.get(Secrets.MODELS_CLIENT_SECRET);
            default -> throw new IllegalArgumentException("no such client in the realm: " + clientId);
        };
        return OidcBrowser.clientCredentials(keycloakUrl(), clientId, secret).accessToken();
    }
}
