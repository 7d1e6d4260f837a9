package dev.meridian.platform;

import static dev.meridian.platform.ChartsTest.YAML;
import static dev.meridian.platform.ChartsTest.enabledServices;
import static dev.meridian.platform.ChartsTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import dev.meridian.stack.MeridianHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Grafana dashboards (files/dashboards/*.json, shipped as ConfigMaps for Grafana's sidecar) and the PrometheusRule
 * of issue #15, rendered with Helm for every values file: each dashboard is Grafana JSON whose queries name only
 * metrics the services serve ({@link #SERVED}, so a renamed metric fails here), and each alert has a severity, a
 * summary, a description and a runbook that is a heading of docs/operations.md.
 */
class ObservabilityChartsTest {

    /**
     * The metrics the services serve (docs/operations.md, "Metrics"; each module's {@code MetricsIT} checks its own),
     * the workers' included, and the Kafka consumer lag of Micrometer's Kafka client binder.
     */
    static final Set<String> SERVED = Set.of(
            "http_server_requests_seconds_count", "http_server_requests_seconds_sum",
            "http_server_requests_seconds_bucket",
            "jvm_memory_used_bytes", "process_cpu_usage",
            "meridian_gateway_admissions_total", "meridian_gateway_refusals_total",
            "meridian_gateway_key_cache_requests_total", "meridian_gateway_key_cache_size",
            "meridian_gateway_usage_events_metered_total", "meridian_gateway_usage_events_published_total",
            "meridian_gateway_usage_backlog", "meridian_gateway_usage_broker_failing",
            "meridian_gateway_usage_spool_age_seconds",
            "meridian_inference_queue_depth", "meridian_inference_requests_total",
            "meridian_inference_batch_size_bucket", "meridian_inference_padded_tokens_bucket",
            "meridian_inference_model_run_seconds_bucket", "meridian_inference_tenant_runs_total",
            "meridian_inference_session_cache_bytes", "meridian_inference_session_cache_evictions_total",
            "meridian_generation_tokens_total", "meridian_generation_time_to_first_token_seconds_bucket",
            "meridian_generation_batch_size_bucket", "meridian_generation_sequences_running",
            "meridian_generation_sequences_queued", "meridian_generation_kv_reserved_bytes",
            "meridian_generation_kv_cache_bytes", "meridian_generation_sequences_total",
            "meridian_outbox_backlog", "meridian_outbox_oldest_age_seconds", "meridian_outbox_published_total",
            "meridian_outbox_failed_attempts_total",
            "meridian_finetune_events_lag_seconds_bucket", "meridian_finetune_jobs",
            "meridian_worker_jobs_running", "meridian_worker_jobs_total",
            "meridian_worker_epoch_duration_seconds_bucket",
            "kafka_consumer_fetch_manager_records_lag_max");

    /** Dashboard file (without .json) → the service whose release ships it. */
    static final Map<String, String> DASHBOARDS = Map.of("gateway", "gateway", "inference", "inference",
            "fine-tuning", "models", "billing", "billing");

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    static Path root;
    static Path chart;

    @BeforeAll
    static void copyChart() throws IOException {
        root = MeridianHome.locate().root();
        chart = ChartsTest.copy(root.resolve("helm/meridian"), work.resolve("meridian"), text -> text);
    }

    static List<String> valuesFiles() throws IOException {
        return ChartsTest.valuesFiles();
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void eachReleaseShipsTheDashboardsOfTheServicesItRunsForGrafanasSidecar(String valuesFile) throws IOException {
        Rendered r = render(valuesFile);
        Set<String> enabled = enabledServices(values(valuesFile));
        for (var dashboard : DASHBOARDS.entrySet()) {
            JsonNode map = r.find("ConfigMap", r.release() + "-dashboard-" + dashboard.getKey());
            if (!enabled.contains(dashboard.getValue())) {
                assertThat(map).as(dashboard.getKey() + " without " + dashboard.getValue()).isNull();
                continue;
            }
            assertThat(map).as(dashboard.getKey() + " dashboard with " + valuesFile).isNotNull();
            assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
            String json = map.at("/data/meridian-" + dashboard.getKey() + ".json").asText();
            assertThat(JSON.readTree(json)).isEqualTo(JSON.readTree(dashboardFile(dashboard.getKey()).toFile()));
        }
        if (!enabled.isEmpty() && !valuesFile.equals("values.yaml")) {
            assertThat(r.ofKind("ConfigMap")).as("dashboards with " + valuesFile).isNotEmpty();
        }
    }

    @Test
    void theDashboardsAndTheirSidecarLabelAreValues() {
        assertThat(render("values-eu-central.yaml", "global.observability.dashboards.enabled", "false")
                .ofKind("ConfigMap")).isEmpty();
        JsonNode map = render("values-eu-central.yaml", "global.observability.dashboards.labels.grafana_dashboard",
                "meridian").get("ConfigMap", "meridian-eu-dashboard-gateway");
        assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("meridian");
    }

    static List<String> dashboards() {
        return DASHBOARDS.keySet().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void everyDashboardIsGrafanaJsonWhosePanelsQueryOnlyMetricsTheServicesServe(String name) throws IOException {
        JsonNode dashboard = JSON.readTree(dashboardFile(name).toFile());
        assertThat(dashboard.path("schemaVersion").isInt()).as(name + " schemaVersion").isTrue();
        assertThat(dashboard.path("uid").asText()).isEqualTo("meridian-" + name);
        assertThat(dashboard.path("title").asText()).startsWith("Meridian / ");

        List<JsonNode> variables = stream(dashboard.at("/templating/list")).toList();
        assertThat(variables).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("datasource");
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        for (JsonNode v : variables) {
            Matcher labelValues = LABEL_VALUES.matcher(v.at("/query/query").asText());
            if (labelValues.matches()) { // Grafana's label_values(metric, label), not PromQL
                assertThat(labelValues.group(1)).as(name + " variable " + v.path("name")).isIn(SERVED);
            }
        }

        List<JsonNode> panels = stream(dashboard.path("panels")).filter(p -> !p.path("type").asText().equals("row"))
                .toList();
        assertThat(panels).as(name + " panels").isNotEmpty();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : panels) {
            String what = name + " / " + panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as(what + " has an id of its own").isTrue();
            assertThat(panel.at("/datasource/uid").asText()).as(what).isEqualTo("${datasource}");
            assertThat(panel.at("/gridPos/w").asInt()).as(what + " width").isBetween(1, 24);
            assertThat(panel.path("targets")).as(what + " targets").isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(metricNames(target.path("expr").asText())).as(what + ": " + target.path("expr"))
                        .isNotEmpty().isSubsetOf(SERVED);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyAlertHasASeveritySummaryDescriptionAndARunbookInOperationsMd(String valuesFile) throws IOException {
        Rendered r = render(valuesFile);
        Set<String> enabled = enabledServices(values(valuesFile));
        List<JsonNode> rules = r.ofKind("PrometheusRule");
        if (enabled.isEmpty()) {
            assertThat(rules).as(valuesFile).isEmpty();
            return;
        }
        assertThat(rules).as(valuesFile).hasSize(1);
        JsonNode rule = rules.getFirst();
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");

        String base = values(valuesFile).at("/global/observability/alerts/runbookBaseUrl").asText();
        Set<String> anchors = runbookAnchors();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : rule.at("/spec/groups")) {
            for (JsonNode alert : group.path("rules")) {
                String name = alert.path("alert").asText();
                assertThat(alerts.add(name)).as(name + " once").isTrue();
                assertThat(metricNames(alert.path("expr").asText())).as(name + ": " + alert.path("expr"))
                        .isNotEmpty().isSubsetOf(SERVED);
                assertThat(alert.path("expr").asText()).as(name + " stays in the release's namespace")
                        .contains("namespace=\"" + r.release() + "\"");
                assertThat(alert.at("/labels/severity").asText()).as(name).isIn("critical", "warning");
                assertThat(alert.at("/annotations/summary").asText()).as(name + " summary").isNotBlank();
                assertThat(alert.at("/annotations/description").asText()).as(name + " description").isNotBlank();
                String runbook = alert.at("/annotations/runbook_url").asText();
                assertThat(runbook).as(name).startsWith(base + "#");
                assertThat(anchors).as(name + "'s runbook " + runbook + " is a heading of docs/operations.md")
                        .contains(runbook.substring(runbook.indexOf('#') + 1));
            }
        }

        Set<String> expected = new TreeSet<>(List.of("MeridianErrorRatioHigh", "MeridianHttpP99High",
                "MeridianConsumerLagGrowing"));
        if (enabled.contains("tenancy") || enabled.contains("billing") || enabled.contains("models")) {
            expected.add("MeridianOutboxStuck");
        }
        if (enabled.contains("gateway")) {
            expected.addAll(List.of("MeridianUsageSpoolOld", "MeridianLeaseFailures"));
        }
        if (enabled.contains("inference")) {
            expected.addAll(List.of("MeridianModelRunP99High", "MeridianTimeToFirstTokenHigh"));
        }
        assertThat(alerts).as(valuesFile).isEqualTo(expected);
    }

    @Test
    void alertThresholdsAndTheRuleItselfAreValues() {
        JsonNode rule = render("values-control.yaml", "global.observability.alerts.thresholds.outboxAgeSeconds", "900")
                .get("PrometheusRule", "meridian-control-alerts");
        assertThat(stream(rule.at("/spec/groups")).flatMap(g -> stream(g.path("rules")))
                .filter(a -> a.path("alert").asText().equals("MeridianOutboxStuck")).findFirst()).get()
                .satisfies(a -> assertThat(a.path("expr").asText()).endsWith("> 900"));
        assertThat(render("values-control.yaml", "global.observability.alerts.enabled", "false")
                .ofKind("PrometheusRule")).isEmpty();
    }

    /** Every Meridian container of every release: the Deployments', StatefulSets' and Jobs' pod templates. */
    static List<JsonNode> containers(Rendered r) {
        List<JsonNode> containers = new ArrayList<>();
        for (String kind : List.of("Deployment", "StatefulSet")) {
            r.ofKind(kind).forEach(o -> o.at("/spec/template/spec/containers").forEach(containers::add));
        }
        return containers;
    }

    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void everyServiceLogsJsonAndExportsNoTracesUnlessTurnedOn(String valuesFile) {
        Rendered r = render(valuesFile);
        for (JsonNode container : containers(r)) {
            assertThat(env(container)).as(container.path("name").asText() + " with " + valuesFile)
                    .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true")
                    .containsEntry("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0")
                    .doesNotContainKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT");
        }
    }

    @ParameterizedTest
    @MethodSource("valuesFiles")
    void prometheusScrapesEveryMeridianPodThroughTheDefaultDeny(String valuesFile) {
        Rendered r = render(valuesFile);
        Set<String> enabled = enabledServices(values(valuesFile));
        JsonNode monitor = r.find("PodMonitor", r.release());
        JsonNode policy = r.find("NetworkPolicy", r.release() + "-prometheus");
        if (enabled.isEmpty()) {
            assertThat(monitor).as(valuesFile).isNull();
            assertThat(policy).as(valuesFile).isNull();
            return;
        }
        assertThat(monitor).as("a PodMonitor with " + valuesFile).isNotNull();
        assertThat(monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo(r.release());
        assertThat(stream(monitor.at("/spec/selector/matchExpressions/0/values")).map(JsonNode::asText))
                .containsExactlyInAnyOrderElementsOf(enabled);
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("http");
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/q/metrics");
        for (JsonNode container : containers(r)) {
            assertThat(stream(container.path("ports")).map(p -> p.path("name").asText()))
                    .as(container.path("name").asText() + " names the port the PodMonitor scrapes").contains("http");
        }
        assertThat(policy).as("Prometheus gets through the default deny with " + valuesFile).isNotNull();
        assertThat(policy.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("http");
        assertThat(policy.at("/spec/ingress/0/from")).isEqualTo(values(valuesFile)
                .at("/global/observability/scraping/prometheus"));
    }

    @Test
    void scrapingCanBeLeftToTheCluster() {
        Rendered r = render("values-eu-central.yaml", "global.observability.scraping.podMonitor", "false");
        assertThat(r.ofKind("PodMonitor")).isEmpty();
        assertThat(r.find("NetworkPolicy", r.release() + "-prometheus")).isNull();
    }

    @Test
    void oneSettingTurnsTracingOnForEveryServiceAndTheCollectorIsAValue() {
        Rendered r = render("values-eu-central.yaml", "global.tracing.sampleRatio", "0.1",
                "global.tracing.otlpEndpoint", "http://otel-collector.observability:4317", "global.logs.json", "false");
        assertThat(containers(r)).isNotEmpty().allSatisfy(c -> assertThat(env(c)).as(c.path("name").asText())
                .containsEntry("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0.1")
                .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability:4317")
                .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false"));
    }

    @Test
    void metricNamesAreWhatAQueryReadsNotItsFunctionsLabelsOrRanges() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (job, model, le) (rate("
                + "meridian_inference_model_run_seconds_bucket{job=~\"$job\",model=\"e5\"}[$__rate_interval])))"))
                .containsExactly("meridian_inference_model_run_seconds_bucket");
        assertThat(metricNames("meridian_gateway_usage_backlog > 1e3 and delta(meridian_gateway_usage_backlog[10m]) > 0"
                + " and meridian_gateway_usage_broker_failing == 1"))
                .containsExactly("meridian_gateway_usage_backlog", "meridian_gateway_usage_broker_failing");
        assertThat(metricNames("sum(rate(meridian_gateway_refusal_total{code=\"billing_unavailable\"}[5m]))"))
                .as("a misspelt metric is read as it is written, and is not served").doesNotContainAnyElementsOf(SERVED);
    }

    // --- reading PromQL and the docs

    static final Pattern SELECTOR = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^}]*}|\\[[^]]*]");
    static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    static final Pattern NAME = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][\\w:]*)(?!\\w)(\\s*\\()?");
    static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+),\\s*\\w+\\)");
    static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    /** The metrics a PromQL expression reads: its names that are neither functions, keywords, labels nor numbers. */
    static Set<String> metricNames(String promql) {
        String bare = GROUPING.matcher(SELECTOR.matcher(promql).replaceAll(" ")).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(bare);
        while (m.find()) {
            String name = m.group(1);
            boolean number = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1));
            if (m.group(2) == null && !number && !KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** The anchors GitHub gives the headings of docs/operations.md. */
    static Set<String> runbookAnchors() throws IOException {
        Set<String> anchors = new TreeSet<>();
        for (String line : Files.readAllLines(root.resolve("docs/operations.md"))) {
            if (line.startsWith("#")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    static Path dashboardFile(String name) {
        return root.resolve("helm/meridian/files/dashboards/" + name + ".json");
    }

    // --- rendering

    record Rendered(String release, List<JsonNode> objects) {
        List<JsonNode> ofKind(String kind) {
            return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        }

        JsonNode find(String kind, String name) {
            return ofKind(kind).stream().filter(o -> o.at("/metadata/name").asText().equals(name)).findFirst()
                    .orElse(null);
        }

        JsonNode get(String kind, String name) {
            JsonNode found = find(kind, name);
            assertThat(found).as("a " + kind + " named " + name).isNotNull();
            return found;
        }
    }

    static JsonNode values(String valuesFile) {
        try {
            JsonNode values = YAML.readTree(chart.resolve("values.yaml").toFile());
            if (!valuesFile.equals("values.yaml")) {
                ChartsTest.merge((com.fasterxml.jackson.databind.node.ObjectNode) values,
                        YAML.readTree(chart.resolve(valuesFile).toFile()));
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Rendered render(String valuesFile, String... settings) {
        String release = ChartsTest.release(valuesFile);
        var template = new Helm(chart).template().withName(release).withNamespace(release);
        if (!valuesFile.equals("values.yaml")) {
            template = template.withValuesFile(chart.resolve(valuesFile));
        }
        for (int i = 0; i < settings.length; i += 2) {
            template = template.set(settings[i], settings[i + 1]);
        }
        return new Rendered(release, ChartsTest.objects(template.call()));
    }
}
