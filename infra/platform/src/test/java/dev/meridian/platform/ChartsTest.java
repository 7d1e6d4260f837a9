package dev.meridian.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.meridian.stack.MeridianHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints and renders the umbrella chart with Helm itself (helm-java) for every values file beside it, and checks the
 * rendered objects as a cluster would get them: images, probes, resources, the restricted security context, disruption
 * budgets, autoscalers, migration Jobs, network policies (evaluated for who may call whom) and TLS Ingresses. As in
 * {@link HelmChartTest}, the hook Jobs are rendered from a copy whose hook annotations carry another name, so that they
 * stay in the manifest {@code template} returns.
 */
class ChartsTest {

    static final YAMLMapper YAML = new YAMLMapper();
    static final String HOOK = HelmChartTest.HOOK;
    static final List<String> SERVICES = List.of("tenancy", "billing", "console", "gateway", "models", "inference",
            "worker");

    @TempDir
    static Path work;

    static Path source;
    static Path chart;

    @BeforeAll
    static void copyChartWithHooksInTheManifest() throws IOException {
        source = MeridianHome.locate().root().resolve("helm/meridian");
        chart = copy(source, work.resolve("hooks-in-manifest/meridian"),
                text -> text.replace("helm.sh/hook:", HOOK + ":").replace("helm.sh/hook-", HOOK + "-"));
    }

    static List<String> valuesFiles() throws IOException {
        try (Stream<Path> files = Files.list(MeridianHome.locate().root().resolve("helm/meridian"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.startsWith("values") && name.endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyPlaneHasAValuesFileThatTheseTestsRender() throws IOException {
        assertThat(valuesFiles()).contains("values.yaml", "values-control.yaml", "values-eu-central.yaml",
                "values-us-east.yaml", "values-cn-north.yaml");
    }

    /**
     * helm-java's lint takes no values file, so each chart is linted from a copy whose values.yaml holds what Helm would
     * give it: for the umbrella the file laid over its defaults, for a subchart its own defaults with its section of
     * those and {@code global}. The umbrella's lint reads only its own templates (the CLI's {@code --with-subcharts} is
     * not in helm-java), hence the subcharts one by one, each with the umbrella's shared templates (_*.tpl) beside its
     * own. Lint renders with {@code required} switched off; {@link #aRegionWithoutItsGatewayHostDoesNotRender} covers it.
     */
    @ParameterizedTest
    @MethodSource("valuesFiles")
    void helmLintPassesForTheUmbrellaAndEverySubchartWithTheValuesFile(String valuesFile) throws IOException {
        ObjectNode values = values(valuesFile);
        Path dir = work.resolve("lint-" + valuesFile);
        Path umbrella = copy(source, dir.resolve("meridian"), text -> text);
        Files.writeString(umbrella.resolve("values.yaml"), YAML.writeValueAsString(values));
        assertLintPasses(umbrella, "meridian with " + valuesFile);

        for (String service : SERVICES) {
            Path subchart = copy(source.resolve("charts").resolve(service), dir.resolve(service), text -> text);
            try (Stream<Path> shared = Files.list(source.resolve("templates"))) {
                for (Path template : shared.filter(t -> t.getFileName().toString().startsWith("_")).toList()) {
                    Files.copy(template, subchart.resolve("templates").resolve(template.getFileName()));
                }
            }
            ObjectNode own = (ObjectNode) YAML.readTree(subchart.resolve("values.yaml").toFile());
            merge(own, values.path(service));
            own.set("global", values.path("global"));
            Files.writeString(subchart.resolve("values.yaml"), YAML.writeValueAsString(own));
            assertLintPasses(subchart, service + " with " + valuesFile);
        }
    }

    static void assertLintPasses(Path chart, String what) {
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict of %s: %s", what, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as(what).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyEnabledServiceRendersItsWorkload(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : enabledServices(r.values())) {
            assertThat(r.workload(service)).as(service + " with " + valuesFile).isNotNull();
        }
        if (!valuesFile.equals("values.yaml")) {
            assertThat(enabledServices(r.values())).as(valuesFile).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyContainerRunsTheGlobalImageAsNonRootOnAReadOnlyRootFilesystemWithinItsResources(String valuesFile) {
        Rendered r = render(valuesFile);
        String registry = r.values().at("/global/imageRegistry").asText();
        String tag = r.values().at("/global/imageTag").asText();

        for (JsonNode workload : r.ofKinds("Deployment", "StatefulSet", "Job")) {
            String name = workload.at("/metadata/name").asText();
            JsonNode pod = workload.at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as(name).isEqualTo(10001);
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).as(name).isEqualTo("RuntimeDefault");

            for (JsonNode container : containers(pod)) {
                String what = name + "/" + container.path("name").asText();
                assertThat(container.path("image").asText()).as(what)
                        .matches("\\Q" + registry + "/\\E[a-z-]+:\\Q" + tag + "\\E");
                JsonNode security = container.path("securityContext");
                assertThat(security.path("runAsNonRoot").asBoolean()).as(what).isTrue();
                assertThat(security.path("runAsUser").asInt()).as(what).isEqualTo(10001);
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(what).isTrue();
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
                assertThat(texts(security.at("/capabilities/drop"))).as(what).contains("ALL");
                assertThat(texts(security.at("/capabilities/add"))).as(what).isEmpty();
                assertThat(security.at("/seccompProfile/type").asText()).as(what).isEqualTo("RuntimeDefault");

                JsonNode tmp = stream(container.path("volumeMounts"))
                        .filter(m -> m.path("mountPath").asText().equals("/tmp")).findFirst().orElse(null);
                assertThat(tmp).as(what + " mounts a writable /tmp").isNotNull();
                assertThat(stream(pod.path("volumes"))
                        .filter(v -> v.path("name").equals(tmp.path("name"))).findFirst())
                        .as(what + "'s /tmp is an emptyDir").get()
                        .satisfies(v -> assertThat(v.has("emptyDir")).isTrue());

                JsonNode resources = container.path("resources");
                assertThat(resources.at("/requests/cpu").asText()).as(what + " requests cpu").isNotEmpty();
                assertThat(resources.at("/requests/memory").asText()).as(what + " requests memory").isNotEmpty();
                assertThat(resources.at("/limits/memory").asText()).as(what + " limits memory").isNotEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyLongRunningContainerHasReadinessAndLivenessProbesOnAPortItServes(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : enabledServices(r.values())) {
            JsonNode container = r.workload(service).at("/spec/template/spec/containers/0");
            String prefix = switch (service) {
                case "inference" -> "/v2/health/"; // the Open Inference Protocol's, ready once the models are loaded
                default -> "/q/health/";
            };
            Set<String> ports = new TreeSet<>();
            stream(container.path("ports")).forEach(p -> ports.add(p.path("name").asText()));
            for (String probe : List.of("readiness", "liveness")) {
                JsonNode get = container.at("/" + probe + "Probe/httpGet");
                assertThat(get.path("path").asText()).as(service + " " + probe)
                        .isEqualTo(prefix + (probe.equals("readiness") ? "ready" : "live"));
                assertThat(ports).as(service + " " + probe + " port").contains(get.path("port").asText());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void theWorkerIsProbedOnQuarkusHealthAndScrapedOnItsHttpPort(String valuesFile) {
        Rendered r = render(valuesFile);
        if (!enabledServices(r.values()).contains("worker")) {
            return;
        }
        JsonNode pod = r.workload("worker").at("/spec/template");
        JsonNode container = pod.at("/spec/containers/0");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        String port = stream(container.path("ports")).filter(p -> p.path("name").asText().equals("http"))
                .findFirst().orElseThrow().path("containerPort").asText();
        assertThat(stream(container.path("env")).filter(e -> e.path("name").asText().equals("QUARKUS_HTTP_PORT"))
                .findFirst()).as("the worker listens where it is probed").get()
                .satisfies(e -> assertThat(e.path("value").asText()).isEqualTo(port));
        JsonNode annotations = pod.at("/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(port);
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        // the grace period covers the wait for the running job's next checkpoint
        assertThat(pod.at("/spec/terminationGracePeriodSeconds").asInt()).isGreaterThan(20);
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyServiceThatCanRunMoreThanOnePodHasADisruptionBudget(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : enabledServices(r.values())) {
            JsonNode workload = r.workload(service);
            JsonNode hpa = r.find("HorizontalPodAutoscaler", r.release() + "-" + service);
            boolean scaled = workload.at("/spec/replicas").asInt(1) > 1
                    || (hpa != null && hpa.at("/spec/maxReplicas").asInt() > 1);
            assertThat(scaled).as(service + " runs more than one pod with " + valuesFile).isTrue();

            List<JsonNode> budgets = r.ofKinds("PodDisruptionBudget").stream()
                    .filter(pdb -> selects(pdb.at("/spec/selector"), workload.at("/spec/template/metadata/labels")))
                    .toList();
            assertThat(budgets).as(service).hasSize(1);
            assertThat(budgets.get(0).path("apiVersion").asText()).isEqualTo("policy/v1");
            assertThat(budgets.get(0).at("/spec/maxUnavailable").asInt()).as(service).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void gatewayAndInferenceScaleOnCpuAndLeaveTheirReplicaCountToTheAutoscaler(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : List.of("gateway", "inference")) {
            if (!enabledServices(r.values()).contains(service)) {
                continue;
            }
            JsonNode workload = r.workload(service);
            JsonNode hpa = r.get("HorizontalPodAutoscaler", r.release() + "-" + service);
            assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
            assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo(workload.path("kind").asText());
            assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(workload.at("/metadata/name").asText());
            assertThat(hpa.at("/spec/minReplicas").asInt())
                    .isEqualTo(r.values().at("/" + service + "/replicas").asInt()).isPositive();
            assertThat(hpa.at("/spec/maxReplicas").asInt()).isGreaterThan(hpa.at("/spec/minReplicas").asInt());
            assertThat(hpa.at("/spec/metrics")).singleElement().satisfies(m -> {
                assertThat(m.at("/resource/name").asText()).isEqualTo("cpu");
                assertThat(m.at("/resource/target/type").asText()).isEqualTo("Utilization");
                assertThat(m.at("/resource/target/averageUtilization").asInt()).isBetween(1, 100);
            });
            assertThat(workload.at("/spec").has("replicas")).as(service + " leaves replicas to its HPA").isFalse();
        }
    }

    @Test
    void withAutoscalingOffTheChartSetsTheReplicasAndRendersNoAutoscaler() {
        Rendered r = render("values-eu-central.yaml", "gateway.autoscaling.enabled", "false",
                "inference.autoscaling.enabled", "false");
        assertThat(r.ofKinds("HorizontalPodAutoscaler")).isEmpty();
        assertThat(r.workload("gateway").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(r.workload("inference").at("/spec/replicas").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyServiceWithADatabaseMigratesInAHookJobRunningItsOwnImage(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : List.of("tenancy", "billing", "models")) {
            if (!enabledServices(r.values()).contains(service)) {
                continue;
            }
            JsonNode job = r.get("Job", r.release() + "-" + service + "-migrate");
            assertThat(job.at("/metadata/annotations").path(HOOK).asText()).isEqualTo("pre-install,pre-upgrade");
            assertThat(job.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Never");
            assertThat(job.at("/spec/template/spec/containers/0/image"))
                    .isEqualTo(r.workload(service).at("/spec/template/spec/containers/0/image"));
        }
        assertThat(r.ofKinds("Job")).as("only tenancy, billing and models have a database")
                .allSatisfy(job -> assertThat(job.at("/metadata/name").asText())
                        .matches(r.release() + "-(tenancy|billing|models)-migrate"));
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void networkPoliciesDenyByDefaultAndLetEachServiceBeCalledOnlyByItsCallers(String valuesFile) {
        Rendered r = render(valuesFile);
        List<JsonNode> policies = r.ofKinds("NetworkPolicy");
        assertThat(policies).as("the default deny").anySatisfy(p -> {
            assertThat(p.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
            assertThat(p.at("/spec/podSelector").isEmpty()).as("selects every pod of the namespace").isTrue();
            assertThat(texts(p.at("/spec/policyTypes"))).containsExactly("Ingress");
            assertThat(p.at("/spec/ingress").isMissingNode() || p.at("/spec/ingress").isEmpty()).isTrue();
        });

        String release = r.release();
        Map<String, Caller> callers = new LinkedHashMap<>();
        callers.put("ingress controller", new Caller(Map.of("app.kubernetes.io/name", "ingress-nginx"),
                Map.of("kubernetes.io/metadata.name", "ingress-nginx"), false));
        callers.put("another region's gateway", new Caller(Map.of("app.kubernetes.io/name", "gateway",
                "app.kubernetes.io/instance", "meridian-elsewhere"), Map.of("kubernetes.io/metadata.name", "elsewhere"),
                false));
        callers.put("a stranger in the namespace", new Caller(Map.of("app", "stranger"), Map.of(), true));
        callers.put("prometheus", new Caller(Map.of("app.kubernetes.io/name", "prometheus"),
                Map.of("kubernetes.io/metadata.name", "monitoring"), false));
        for (String service : SERVICES) {
            callers.put(service, new Caller(Map.of("app.kubernetes.io/name", service, "app.kubernetes.io/instance",
                    release), Map.of(), true));
        }
        // Prometheus scrapes every pod's http port (the PodMonitor's NetworkPolicy).
        Map<String, Set<String>> expected = Map.of(
                "gateway", Set.of("ingress controller", "prometheus"),
                "console", Set.of("ingress controller", "prometheus"),
                // the models services read the control plane for tenant exports (members, keys, audit; usage, invoices)
                "tenancy", Set.of("billing", "gateway", "another region's gateway", "models", "prometheus"),
                "billing", Set.of("gateway", "another region's gateway", "models", "prometheus"),
                "inference", Set.of("gateway", "prometheus"),
                "models", Set.of("gateway", "inference", "prometheus"),
                "worker", Set.of("prometheus"));

        for (String service : enabledServices(r.values())) {
            JsonNode pod = r.workload(service).at("/spec/template");
            int port = pod.at("/spec/containers/0/ports/0/containerPort").asInt();
            String portName = pod.at("/spec/containers/0/ports/0/name").asText(null);
            Set<String> admitted = new TreeSet<>();
            Set<String> admittedElsewhere = new TreeSet<>();
            callers.forEach((name, caller) -> {
                if (admits(policies, pod.at("/metadata/labels"), caller, port, portName)) {
                    admitted.add(name);
                }
                if (admits(policies, pod.at("/metadata/labels"), caller, port + 1, null)) {
                    admittedElsewhere.add(name);
                }
            });
            assertThat(admitted).as("who may call %s on %d with %s", service, port, valuesFile)
                    .containsExactlyInAnyOrderElementsOf(expected.get(service));
            assertThat(admittedElsewhere).as("who may call %s on another port", service).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void gatewaysAndTheConsoleAreServedThroughTlsIngress(String valuesFile) {
        Rendered r = render(valuesFile);
        for (String service : List.of("gateway", "console")) {
            if (!enabledServices(r.values()).contains(service)) {
                continue;
            }
            JsonNode ingress = r.get("Ingress", r.release() + "-" + service);
            JsonNode settings = r.values().path(service).path("ingress");
            assertThat(ingress.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
            String className = settings.path("className").asText();
            assertThat(ingress.at("/spec/ingressClassName").asText()).isNotEmpty().isEqualTo(className.isEmpty()
                    ? r.values().at("/global/ingress/className").asText() : className);
            String host = settings.path("host").asText();
            assertThat(host).as(service + "'s host in " + valuesFile).isNotEmpty();
            assertThat(ingress.at("/spec/tls")).singleElement().satisfies(tls -> {
                assertThat(texts(tls.path("hosts"))).containsExactly(host);
                assertThat(tls.path("secretName").asText()).isEqualTo(settings.path("tlsSecretName").asText())
                        .isNotEmpty();
            });
            assertThat(ingress.at("/spec/rules")).singleElement().satisfies(rule -> {
                assertThat(rule.path("host").asText()).isEqualTo(host);
                JsonNode backend = rule.at("/http/paths/0/backend/service");
                JsonNode svc = r.get("Service", backend.path("name").asText());
                assertThat(svc.at("/spec/selector")).isEqualTo(r.workload(service).at("/spec/selector/matchLabels"));
                assertThat(stream(svc.at("/spec/ports")).map(p -> p.path("name").asText()))
                        .contains(backend.at("/port/name").asText());
            });
        }
        assertThat(r.ofKinds("Ingress")).as("nothing else is exposed").allSatisfy(i -> assertThat(
                i.at("/metadata/name").asText()).matches(r.release() + "-(gateway|console)"));
    }

    @Test
    void imagesComeFromTheGlobalRegistryAndTagWhateverTheyAre() {
        Rendered r = render("values-eu-central.yaml", "global.imageRegistry", "registry.test/mirror",
                "global.imageTag", "9.9.9-rc1");
        List<String> images = r.ofKinds("Deployment", "StatefulSet", "Job").stream()
                .flatMap(w -> containers(w.at("/spec/template/spec")).stream())
                .map(c -> c.path("image").asText()).toList();
        assertThat(images).hasSizeGreaterThan(4)
                .allMatch(image -> image.startsWith("registry.test/mirror/") && image.endsWith(":9.9.9-rc1"));
    }

    @Test
    void aRegionWithoutItsGatewayHostDoesNotRender() {
        assertThatThrownBy(() -> render("values-us-east.yaml", "gateway.ingress.host", ""))
                .hasMessageContaining("gateway.ingress.host is required");
    }

    @Test
    void networkPoliciesCanBeLeftOut() {
        Rendered r = render("values-control.yaml", "global.networkPolicy.enabled", "false");
        assertThat(r.ofKinds("NetworkPolicy")).isEmpty();
        assertThat(r.ofKinds("Deployment")).isNotEmpty();
    }

    // --- rendering

    record Rendered(String release, JsonNode values, List<JsonNode> objects) {

        List<JsonNode> ofKinds(String... kinds) {
            Set<String> wanted = Set.of(kinds);
            return objects.stream().filter(o -> wanted.contains(o.path("kind").asText())).toList();
        }

        JsonNode find(String kind, String name) {
            return ofKinds(kind).stream().filter(o -> o.at("/metadata/name").asText().equals(name)).findFirst()
                    .orElse(null);
        }

        JsonNode get(String kind, String name) {
            JsonNode found = find(kind, name);
            assertThat(found).as("a " + kind + " named " + name + " in the rendered chart").isNotNull();
            return found;
        }

        /** The service's Deployment or StatefulSet (the gateway's). */
        JsonNode workload(String service) {
            return get(service.equals("gateway") ? "StatefulSet" : "Deployment", release + "-" + service);
        }
    }

    static Rendered render(String valuesFile, String... settings) {
        String release = release(valuesFile);
        var template = new Helm(chart).template().withName(release);
        if (!valuesFile.equals("values.yaml")) {
            template = template.withValuesFile(chart.resolve(valuesFile));
        }
        ObjectNode values = values(valuesFile);
        for (int i = 0; i < settings.length; i += 2) {
            template = template.set(settings[i], settings[i + 1]);
        }
        return new Rendered(release, values, objects(template.call()));
    }

    /** The Kubernetes objects of a rendered manifest (its documents that have a kind). */
    static List<JsonNode> objects(String manifest) {
        List<JsonNode> objects = new ArrayList<>();
        try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifest)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.has("kind")) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /** meridian-control, meridian-eu, meridian-us, meridian-cn as helm/README.md installs them; meridian for the defaults. */
    static String release(String valuesFile) {
        String plane = valuesFile.replaceFirst("^values-?", "").replaceFirst("\\.yaml$", "");
        return plane.isEmpty() ? "meridian" : "meridian-" + plane.split("-")[0];
    }

    /** The chart's values.yaml with the file laid over it as Helm does: maps merge, anything else is replaced. */
    static ObjectNode values(String valuesFile) {
        try {
            ObjectNode values = (ObjectNode) YAML.readTree(source.resolve("values.yaml").toFile());
            if (!valuesFile.equals("values.yaml")) {
                merge(values, YAML.readTree(source.resolve(valuesFile).toFile()));
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void merge(ObjectNode base, JsonNode over) {
        over.properties().forEach(e -> {
            if (e.getValue().isObject() && base.get(e.getKey()) instanceof ObjectNode nested) {
                merge(nested, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        });
    }

    static Set<String> enabledServices(JsonNode values) {
        Set<String> enabled = new TreeSet<>();
        for (String service : SERVICES) {
            if (values.at("/" + service + "/enabled").asBoolean()) {
                enabled.add(service);
            }
        }
        return enabled;
    }

    static Path copy(Path from, Path to, UnaryOperator<String> edit) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, edit.apply(Files.readString(file)));
                }
            }
        }
        return to;
    }

    // --- reading the objects

    static List<JsonNode> containers(JsonNode podSpec) {
        return Stream.concat(stream(podSpec.path("initContainers")), stream(podSpec.path("containers"))).toList();
    }

    static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    static List<String> texts(JsonNode array) {
        return stream(array).map(JsonNode::asText).toList();
    }

    // --- NetworkPolicy semantics (matchLabels only; the charts use no matchExpressions)

    /** A pod that opens a connection: its labels, its namespace's labels, and whether it is in the release's namespace. */
    record Caller(Map<String, String> labels, Map<String, String> namespaceLabels, boolean sameNamespace) {
    }

    /**
     * Whether the policies of the target's namespace let the caller reach the target pod on the port: a pod that no
     * policy selects takes anything; one that some select takes what at least one of their rules allows.
     */
    /** Whether a connection from {@code caller} to {@code port} (named {@code portName} in the pod, or null) passes. */
    static boolean admits(List<JsonNode> policies, JsonNode targetLabels, Caller caller, int port, String portName) {
        List<JsonNode> selecting = policies.stream()
                .filter(p -> texts(p.at("/spec/policyTypes")).contains("Ingress"))
                .filter(p -> selects(p.at("/spec/podSelector"), targetLabels)).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().flatMap(p -> stream(p.at("/spec/ingress"))).anyMatch(rule ->
                (!rule.has("ports") || stream(rule.path("ports")).anyMatch(p -> p.path("port").isTextual()
                        ? p.path("port").asText().equals(portName) : p.path("port").asInt() == port))
                        && (!rule.has("from") || stream(rule.path("from")).anyMatch(peer -> matches(peer, caller))));
    }

    static boolean matches(JsonNode peer, Caller caller) {
        if (peer.has("ipBlock")) {
            return false;
        }
        JsonNode pods = peer.path("podSelector");
        if (!peer.has("namespaceSelector")) {
            return caller.sameNamespace() && selects(pods, YAML.valueToTree(caller.labels()));
        }
        JsonNode namespaces = peer.path("namespaceSelector");
        return selects(namespaces, YAML.valueToTree(caller.namespaceLabels()))
                && (pods.isMissingNode() || selects(pods, YAML.valueToTree(caller.labels())));
    }

    /** A label selector (or its matchLabels) against labels: every label it names, with the same value. */
    static boolean selects(JsonNode selector, JsonNode labels) {
        assertThat(selector.has("matchExpressions")).as("matchExpressions in " + selector).isFalse();
        JsonNode matchLabels = selector.has("matchLabels") ? selector.path("matchLabels") : selector;
        Map<String, String> wanted = new HashMap<>();
        matchLabels.properties().forEach(e -> wanted.put(e.getKey(), e.getValue().asText()));
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.path(e.getKey()).asText(null)));
    }
}
