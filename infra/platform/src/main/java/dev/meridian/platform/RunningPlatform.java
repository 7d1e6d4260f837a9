package dev.meridian.platform;

import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.KeycloakServer;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything {@link Platform#start} started, with the addresses a user or a test needs; closing stops it all. */
public final class RunningPlatform implements AutoCloseable {

    private final Secrets secrets;
    private final List<AutoCloseable> startedInOrder = new ArrayList<>();
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private String kafkaBootstrap;
    private KeycloakServer keycloak;
    private ServiceProcess tenancy;
    private ServiceProcess billing;
    private final Map<String, ServiceProcess> gateways = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> inference = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> models = new LinkedHashMap<>();
    private String demoApiKey;
    private String demoTenantId;
    private boolean stopped;

    RunningPlatform(Secrets secrets) {
        this.secrets = secrets;
    }

    void postgres(PostgresServer p) {
        postgres = p;
        startedInOrder.add(p);
    }

    void kafka(KafkaBroker k, String bootstrap) {
        kafka = k;
        kafkaBootstrap = bootstrap;
        if (k != null) {
            startedInOrder.add(k);
        }
    }

    void keycloak(KeycloakServer k) {
        keycloak = k;
        startedInOrder.add(k);
    }

    void tenancy(ServiceProcess t) {
        tenancy = t;
        startedInOrder.add(t);
    }

    void worker(AutoCloseable w) {
        startedInOrder.add(w);
    }

    void billing(ServiceProcess b) {
        billing = b;
        startedInOrder.add(b);
    }

    public String billingUrl() {
        return billing.url();
    }

    void gateway(String region, ServiceProcess g) {
        gateways.put(region, g);
        startedInOrder.add(g);
    }

    void inference(String region, ServiceProcess s) {
        inference.put(region, s);
        startedInOrder.add(s);
    }

    void models(String region, ServiceProcess s) {
        models.put(region, s);
        startedInOrder.add(s);
    }

    public String modelsUrl(String region) {
        ServiceProcess s = models.get(region);
        if (s == null) {
            throw new IllegalArgumentException("no models service for region " + region);
        }
        return s.url();
    }

    public String inferenceUrl(String region) {
        ServiceProcess s = inference.get(region);
        if (s == null) {
            throw new IllegalArgumentException("no inference service for region " + region);
        }
        return s.url();
    }

    void demo(String tenantId, String apiKey) {
        demoTenantId = tenantId;
        demoApiKey = apiKey;
    }

    public String tenancyUrl() {
        return tenancy.url();
    }

    public String gatewayUrl(String region) {
        ServiceProcess g = gateways.get(region);
        if (g == null) {
            throw new IllegalArgumentException("no gateway for region " + region + "; running: " + gateways.keySet());
        }
        return g.url();
    }

    public Map<String, String> gatewayUrls() {
        Map<String, String> urls = new LinkedHashMap<>();
        gateways.forEach((r, g) -> urls.put(r, g.url()));
        return urls;
    }

    public String keycloakUrl() {
        return keycloak.url();
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

    /** Stops everything in the reverse order of starting: services first, PostgreSQL last. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (int i = startedInOrder.size() - 1; i >= 0; i--) {
            try {
                startedInOrder.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
