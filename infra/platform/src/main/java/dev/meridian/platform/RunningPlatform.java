package dev.meridian.platform;

import dev.meridian.platform.supervisor.PartStatus;
import dev.meridian.platform.supervisor.SupervisedPart;
import dev.meridian.platform.supervisor.Supervisor;
import dev.meridian.stack.MailServer;
import dev.meridian.stack.Mailbox;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link Platform#start} started, with the addresses a user or a test needs; closing stops it all. Its
 * processes are parts of a {@link Supervisor}, which restarts any that exits unasked: {@link #part} gives a test the
 * handle to stop one on purpose (it then stays down until started) and {@link #status} lists them all.
 */
public final class RunningPlatform implements AutoCloseable {

    private final Secrets secrets;
    private final Supervisor supervisor;
    private final java.nio.file.Path stateDir;
    private PostgresServer postgres;
    private String kafkaBootstrap;
    private String keycloakUrl;
    private MailServer mail;
    private final Map<String, String> urls = new LinkedHashMap<>();
    private String demoApiKey;
    private String demoTenantId;
    private boolean stopped;
    private java.util.function.BiFunction<String, Integer, SupervisedPart> replicaStarter;

    RunningPlatform(Secrets secrets, Supervisor supervisor, java.nio.file.Path stateDir) {
        this.secrets = secrets;
        this.supervisor = supervisor;
        this.stateDir = stateDir;
    }

    /** Where this platform keeps its data, logs and status file. */
    public java.nio.file.Path stateDir() {
        return stateDir;
    }

    void postgres(PostgresServer p) {
        postgres = p;
    }

    void kafka(String bootstrap) {
        kafkaBootstrap = bootstrap;
    }

    void keycloak(String url) {
        keycloakUrl = url;
    }

    void mail(MailServer m) {
        mail = m;
    }

    /** Where the mails Keycloak sends (e-mail verification) can be read. */
    public String mailDescription() {
        return mail == null ? "none" : mail.describe();
    }

    /** The mails Keycloak sent, read over IMAP. */
    public Mailbox mailbox() {
        if (mail == null) {
            throw new IllegalStateException("this platform runs no mail server");
        }
        return mail.mailbox();
    }

    /** Records where a service part answers, under its part name (tenancy, billing, models-eu-central, ...). */
    void url(String part, String url) {
        urls.put(part, url);
    }

    private String url(String part) {
        String url = urls.get(part);
        if (url == null) {
            throw new IllegalArgumentException("no part " + part + " in this platform; parts: " + urls.keySet());
        }
        return url;
    }

    public String billingUrl() {
        return url("billing");
    }

    public String modelsUrl(String region) {
        return url("models-" + region);
    }

    public String inferenceUrl(String region) {
        return url("inference-" + region);
    }

    /** The web console (sign in with the demo user). */
    public String consoleUrl() {
        return url("console");
    }

    public String tenancyUrl() {
        return url("tenancy");
    }

    public String gatewayUrl(String region) {
        return url("gateway-" + region);
    }

    public Map<String, String> gatewayUrls() {
        Map<String, String> gateways = new LinkedHashMap<>();
        urls.forEach((part, url) -> {
            if (part.startsWith("gateway-")) {
                gateways.put(part.substring("gateway-".length()), url);
            }
        });
        return gateways;
    }

    void demo(String tenantId, String apiKey) {
        demoTenantId = tenantId;
        demoApiKey = apiKey;
    }

    public String keycloakUrl() {
        return keycloakUrl;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public Secrets secrets() {
        return secrets;
    }

    public String demoApiKey() {
        return demoApiKey;
    }

    public String demoTenantId() {
        return demoTenantId;
    }

    void gatewayReplicas(java.util.function.BiFunction<String, Integer, SupervisedPart> starter) {
        replicaStarter = starter;
    }

    /**
     * Starts replica {@code n} (2 or more) of {@code region}'s gateway, against the same tenancy, billing and regional
     * services as the first, and returns it once it answers (its URL is {@link SupervisedPart#url()}); stop it with
     * {@link SupervisedPart#stop()}. Not listed in {@link #gatewayUrls()}.
     */
    public SupervisedPart startGatewayReplica(String region, int n) {
        if (n < 2 || !urls.containsKey("gateway-" + region)) {
            throw new IllegalArgumentException("no gateway replica " + n + " of " + region + ": replicas are numbered"
                    + " from 2, of a region this platform runs (" + gatewayUrls().keySet() + ")");
        }
        return replicaStarter.apply(region, n);
    }

    /** A supervised process by its part name: kafka, keycloak, tenancy, billing, gateway-us-east, worker-eu-central... */
    public SupervisedPart part(String name) {
        return supervisor.part(name);
    }

    /** Every part with its state, pid, URL and restarts, as {@code ./platform status} shows them. */
    public List<PartStatus> status() {
        return supervisor.status();
    }

    /** Stops everything in the reverse order of starting: services first, PostgreSQL last. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        supervisor.stopAll();
        if (mail != null) {
            mail.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (RuntimeException e) {
                System.err.println("while stopping PostgreSQL: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
