package dev.meridian.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the platform runs from: where the built services and the resolved server distributions are. */
public record MeridianHome(Path root) {

    /** Finds the checkout: {@code -Dmeridian.home}, {@code $MERIDIAN_HOME}, or the nearest parent holding infra/dist. */
    public static MeridianHome locate() {
        String configured = System.getProperty("meridian.home", System.getenv("MERIDIAN_HOME"));
        if (configured != null && !configured.isBlank()) {
            return new MeridianHome(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("infra/dist/pom.xml"))) {
                return new MeridianHome(p);
            }
        }
        throw new IllegalStateException("Cannot find the Meridian checkout from " + Path.of("").toAbsolutePath()
                + ": set MERIDIAN_HOME to the folder that holds infra/dist/pom.xml");
    }

    public Path kafkaLibs() {
        return built(root.resolve("infra/dist/target/kafka/lib"));
    }

    public Path keycloakZip() {
        return built(root.resolve("infra/dist/target/keycloak/keycloak-quarkus-dist.zip"));
    }

    /** S3Proxy, an S3-compatible server, for tests of the S3 blob store. */
    public Path s3proxyJar() {
        return built(root.resolve("infra/dist/target/s3proxy/s3proxy.jar"));
    }

    /** Each service's Kafka principal and ACLs: one table for ./platform, the tests and the chart. */
    public Path kafkaPrincipals() {
        return root.resolve("helm/meridian/files/kafka-principals.json");
    }

    public Path realmTemplate() {
        return root.resolve("infra/keycloak/meridian-realm.json");
    }

    /** The runnable jar of a Quarkus service module, e.g. {@code tenancy} or {@code services/inference}. */
    public Path serviceJar(String module) {
        return built(root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"));
    }

    private static Path built(Path p) {
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " does not exist yet: build the project first with"
                    + " ./mvnw install -DskipTests (./platform up does this for you)");
        }
        return p;
    }
}
