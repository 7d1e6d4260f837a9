package dev.meridian.inference;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The real stack (PostgreSQL, Kafka, Keycloak) plus the region's real models service, started from its packaged
 * jar in a child JVM, sharing a blob directory with the inference service under test. The service under test asks the
 * registry through a {@link RegistryProxy}, which passes its calls on unless a test takes the registry away.
 */
public class TenantModelsResource implements QuarkusTestResourceLifecycleManager {

    static final Path BLOBS = Path.of("target/it-blobs/eu-central").toAbsolutePath();
    private static ServiceProcess models;
    private static RegistryProxy proxy;

    private static String token;

    static String modelsUrl() {
        return models.url();
    }

    /** What stands between the service under test and the registry; tests that change it set it back after. */
    static RegistryProxy registryProxy() {
        return proxy;
    }

    /** A call to the registry as the gateway makes it for {@code tenant}. */
    static RequestSpecification registry(UUID tenant) {
        synchronized (TenantModelsResource.class) {
            if (token == null) {
                token = TestStack.get().serviceToken("meridian-gateway");
            }
        }
        return RestAssured.given().baseUri(modelsUrl()).header("Authorization", "Bearer " + token)
                .header(MeridianHeaders.TENANT_ID, tenant.toString()).header(MeridianHeaders.SCOPES, "models")
                .header(MeridianHeaders.HOME_REGION, "eu-central");
    }

    @Override
    public synchronized Map<String, String> start() {
        var stackResource = new MeridianStackResource();
        stackResource.init(Map.of());
        Map<String, String> config = new HashMap<>(stackResource.start());
        TestStack stack = TestStack.get();
        if (models == null) {
            Secrets s = stack.secrets();
            String db = stack.jdbcUrl("meridian_eu_central");
            Map<String, String> m = new HashMap<>();
            m.put("quarkus.datasource.jdbc.url", db);
            m.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
            m.put("quarkus.datasource.password", s.get(Secrets.DB_APP_PASSWORD));
            m.put("quarkus.flyway.jdbc-url", db);
            m.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
            m.put("quarkus.flyway.password", s.get(Secrets.DB_OWNER_PASSWORD));
            m.putAll(stack.kafkaServiceConfig("models"));
            m.put("quarkus.oidc.auth-server-url", stack.realmUrl());
            m.put("meridian.models.region", "eu-central");
            m.put("meridian.models.blobs.directory", BLOBS.toString());
            MeridianHome home = MeridianHome.locate();
            Path logs = home.root().resolve("services/inference/target/it-logs");
            models = ServiceProcess.start(home, "models-eu-central", "services/models", Ports.free(), m, logs, null);
            Runtime.getRuntime().addShutdownHook(new Thread(models::close, "models-service-stop"));
            proxy = new RegistryProxy(models.url());
        }
        config.put("meridian.inference.tenant-models.registry-url", proxy.url());
        config.put("mp.messaging.incoming.model-changes.enabled", "true");
        config.put("meridian.inference.tenant-models.blobs.directory", BLOBS.toString());
        return config;
    }

    @Override
    public void stop() {
        // The models service and its proxy outlive the test class, like the stack; a shutdown hook stops the service.
    }
}
