package dev.meridian.testing;

import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus service under test at the real servers of {@link TestStack} (started once per JVM): datasource
 * as the app role, Flyway as the owner role, Kafka, and Keycloak for both OIDC validation and the OIDC client.
 * Use with {@code @QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)};
 * init arg {@code database} picks the database (default {@code meridian_control}).
 */
public class MeridianStackResource implements QuarkusTestResourceLifecycleManager {

    private String database = TestStack.CONTROL_DB;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", TestStack.CONTROL_DB);
    }

    @Override
    public Map<String, String> start() {
        TestStack stack = TestStack.get();
        Secrets s = stack.secrets();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", stack.jdbcUrl(database));
        config.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
        config.put("quarkus.datasource.password", s.get(Secrets.DB_APP_PASSWORD));
        config.put("quarkus.flyway.jdbc-url", stack.jdbcUrl(database));
        config.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
        config.put("quarkus.flyway.password", s.get(Secrets.DB_OWNER_PASSWORD));
        config.put("kafka.bootstrap.servers", stack.kafkaBootstrap());
        // each service's %test profile takes its own principal's password from these
        Secrets.KAFKA_PRINCIPALS.stream().filter(p -> !p.equals(KafkaBroker.ADMIN))
                .forEach(p -> config.put(Secrets.kafkaPasswordName(p), s.kafkaPassword(p)));
        config.put("quarkus.oidc.auth-server-url", stack.realmUrl());
        config.put("quarkus.oidc-client.auth-server-url", stack.realmUrl());
        config.put("meridian.test.keycloak-url", stack.keycloakUrl());
        config.put("meridian.test.gateway-client-secret", s.get(Secrets.GATEWAY_CLIENT_SECRET));
        config.put("meridian.test.tenancy-client-secret", s.get(Secrets.TENANCY_CLIENT_SECRET));
        config.put("meridian.test.inference-client-secret", s.get(Secrets.INFERENCE_CLIENT_SECRET));
        config.put("meridian.test.models-client-secret", s.get(Secrets.MODELS_CLIENT_SECRET));
        return config;
    }

    @Override
    public void stop() {
        // The servers outlive this test class: TestStack stops them when the JVM exits.
    }
}
