package dev.meridian.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.meridian.stack.MeridianHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the charts with Helm itself (helm-java) and checks the database roles: each service with a database has a
 * pre-install/pre-upgrade migration Job that alone reads the owner's Secret, and its Deployment gets the app role only.
 * helm-java's {@code template} returns the release manifest, which Helm keeps apart from hooks, so the charts are
 * rendered from a copy whose hook annotations carry another name ({@value #HOOK}) and so stay in the manifest.
 */
class HelmChartTest {

    static final String HOOK = "rendered-as-manifest.meridian.dev/hook";

    @TempDir
    static Path copy;

    static Path chart;

    @BeforeAll
    static void copyChartWithHooksInTheManifest() throws IOException {
        Path source = MeridianHome.locate().root().resolve("helm/meridian");
        chart = copy.resolve("meridian");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = chart.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, Files.readString(file).replace("helm.sh/hook:", HOOK + ":")
                            .replace("helm.sh/hook-", HOOK + "-"));
                }
            }
        }
    }

    @Test
    void controlPlaneDeploymentsGetOnlyTheAppRoleAndHookJobsMigrateAsTheOwner() {
        List<String> docs = render("values-control.yaml");

        for (String service : List.of("tenancy", "billing")) {
            String deployment = document(docs, "Deployment", "meridian-control-" + service);
            assertThat(deployment).doesNotContain("owner-password", "meridian_owner", "-owner")
                    .contains("key: app-password", "name: QUARKUS_FLYWAY_ACTIVE, value: \"false\"");

            String job = document(docs, "Job", "meridian-control-" + service + "-migrate");
            assertThat(job).contains(HOOK + ": pre-install,pre-upgrade",
                    "name: QUARKUS_INIT_AND_EXIT, value: \"true\"",
                    "name: QUARKUS_FLYWAY_MIGRATE_AT_START, value: \"true\"",
                    "name: QUARKUS_FLYWAY_USERNAME, value: meridian_owner",
                    "name: " + service + "-db-owner, key: owner-password")
                    .doesNotContain("app-password");
        }
    }

    @Test
    void regionalModelsDeploymentGetsOnlyTheAppRoleAndAHookJobMigratesAsTheOwner() {
        List<String> docs = render("values-eu-central.yaml");

        assertThat(document(docs, "Deployment", "meridian-eu-models"))
                .doesNotContain("owner-password", "meridian_owner").contains("key: app-password");
        assertThat(document(docs, "Job", "meridian-eu-models-migrate"))
                .contains(HOOK + ": pre-install,pre-upgrade", "name: models-db-owner, key: owner-password");
        // the services without a database get no migration Job
        assertThat(docs).noneMatch(d -> d.contains("kind: Job") && !d.contains("models-migrate"));
    }

    @Test
    void eachRegionalServiceIsItsOwnKafkaPrincipalWithTheTablesAclsForItsRegion() {
        List<String> docs = render("values-eu-central.yaml", "global.kafka.strimziCluster", "meridian");

        String worker = document(docs, "KafkaUser", "meridian-eu-kafka-worker");
        assertThat(worker).contains("strimzi.io/cluster: meridian", "type: scram-sha-512",
                "name: \"eu-central.finetune.jobs\"", "name: \"meridian-worker-\"", "patternType: prefix")
                .doesNotContain("{region}", "tenancy.changes", "us-east");
        assertThat(document(docs, "KafkaUser", "meridian-eu-kafka-inference"))
                .contains("name: \"eu-central.models.changes\"", "operations: [\"Describe\",\"Read\"]")
                .as("one consumer group per inference instance").contains("name: \"meridian-inference-\"")
                .doesNotContain("Write");
        // the control plane's principals belong to the control release
        assertThat(docs).noneMatch(d -> d.contains("kind: KafkaUser") && d.contains("-kafka-billing"));

        for (String service : List.of("gateway", "inference", "models", "worker")) {
            String workload = docs.stream().filter(d -> d.contains("kind: Deployment\n") || d.contains("kind: StatefulSet\n"))
                    .filter(d -> d.contains("name: meridian-eu-" + service + "\n")).findFirst().orElseThrow();
            assertThat(workload).as(service).contains("name: meridian-eu-kafka-" + service + ", key: password")
                    .contains("SASL_SSL");
            for (String other : List.of("gateway", "inference", "models", "worker", "tenancy", "billing")) {
                if (!other.equals(service)) {
                    assertThat(workload).as(service + " never sees " + other + "'s password")
                            .doesNotContain("meridian-eu-kafka-" + other);
                }
            }
        }
    }

    @Test
    void cnNorthRunsEveryRegionalServiceInItsRegionBehindASovereignGateway() {
        List<String> docs = render("values-cn-north.yaml", "global.kafka.strimziCluster", "meridian");

        assertThat(document(docs, "StatefulSet", "meridian-cn-gateway"))
                .contains("name: MERIDIAN_GATEWAY_REGION, value: \"cn-north\"",
                        "name: MERIDIAN_GATEWAY_SOVEREIGN, value: \"true\"");
        assertThat(document(docs, "Deployment", "meridian-cn-models"))
                .contains("meridian_cn_north", "key: app-password").doesNotContain("eu-central", "us-east");
        assertThat(document(docs, "Job", "meridian-cn-models-migrate"))
                .contains("name: models-db-owner, key: owner-password");
        assertThat(document(docs, "KafkaUser", "meridian-cn-kafka-worker"))
                .contains("name: \"cn-north.finetune.jobs\"").doesNotContain("eu-central", "us-east");
        for (String service : List.of("inference", "models", "worker")) {
            assertThat(docs.stream().filter(d -> d.contains("kind: Deployment\n") || d.contains("kind: StatefulSet\n"))
                    .filter(d -> d.contains("name: meridian-cn-" + service + "\n")).findFirst())
                    .as(service).get().asString().contains("cn-north").doesNotContain("eu-central", "us-east");
        }
        // the other regions' gateways are not sovereign; tenancy's directory says which region is
        assertThat(document(render("values-eu-central.yaml"), "StatefulSet", "meridian-eu-gateway"))
                .doesNotContain("MERIDIAN_GATEWAY_SOVEREIGN");
        assertThat(document(render("values-control.yaml"), "Deployment", "meridian-control-tenancy"))
                .contains("name: \"MERIDIAN_TENANCY_REGIONS__CN_NORTH__SOVEREIGN\", value: \"true\"")
                .doesNotContain("MERIDIAN_TENANCY_REGIONS__EU_CENTRAL__SOVEREIGN");
    }

    @Test
    void theControlPlaneRunsTheConsoleWithItsOwnClientSecretAndNoDatabaseOrKafka() {
        String console = document(render("values-control.yaml"), "Deployment", "meridian-control-console");
        assertThat(console).contains("name: console-oidc, key: client-secret",
                "name: MERIDIAN_CONSOLE_API_URL, value: \"https://eu.api.meridian.example\"")
                .doesNotContain("DATASOURCE", "KAFKA");
        assertThat(render("values-eu-central.yaml")).noneMatch(d -> d.contains("-console"));
    }

    @Test
    void withoutStrimziTheChartRendersNoKafkaUsersButStillNamesEachServicesSecret() {
        List<String> docs = render("values-control.yaml");
        assertThat(docs).noneMatch(d -> d.contains("kind: KafkaUser"));
        assertThat(document(docs, "Deployment", "meridian-control-billing"))
                .contains("name: meridian-control-kafka-billing, key: password");
    }

    private static List<String> render(String valuesFile, String... settings) {
        String release = switch (valuesFile) {
            case "values-control.yaml" -> "meridian-control";
            case "values-cn-north.yaml" -> "meridian-cn";
            default -> "meridian-eu";
        };
        var template = new Helm(chart).template().withName(release).withValuesFile(chart.resolve(valuesFile));
        for (int i = 0; i < settings.length; i += 2) {
            template = template.set(settings[i], settings[i + 1]);
        }
        String yaml = template.call();
        return Arrays.stream(yaml.split("(?m)^---\\s*$")).filter(d -> d.contains("kind:")).toList();
    }

    private static String document(List<String> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.contains("kind: " + kind + "\n") && d.contains("name: " + name + "\n"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in the rendered chart"));
    }
}
