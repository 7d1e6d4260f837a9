package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One trace follows a call across processes: the services export to a collector (here {@link TraceCollector}), and an
 * operator who has a request id from a client's answer finds the whole call by it.
 */
class TracingIT {

    private static final String REQUEST_ID = "meridian.request_id";

    /** The trace of the call whose gateway span carries {@code requestId}, once the collector has it. */
    private static String traceOf(String requestId) {
        var collector = SystemUnderTest.traces();
        return await().atMost(Duration.ofSeconds(30)).until(() -> collector.withAttribute(REQUEST_ID, requestId),
                spans -> !spans.isEmpty()).getFirst().traceId();
    }

    /** A call's request id (as its answer gave it) and the trace it made. */
    private record Traced(String requestId, String traceId) {
    }

    /** Embeds {@code text} with the demo key through {@code gateway}; returns the call's ids. */
    private static Traced embedTraced(String gateway, String text) {
        String requestId = "trace-" + UUID.randomUUID();
        given().baseUri(gateway).header("Authorization", "Bearer " + SystemUnderTest.platform().demoApiKey())
                .header("X-Request-Id", requestId).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", text))
                .post("/v1/embeddings").then().statusCode(200);
        return new Traced(requestId, traceOf(requestId));
    }

    private static Set<String> services(List<TraceCollector.Span> spans) {
        return spans.stream().map(TraceCollector.Span::service).collect(Collectors.toSet());
    }

    @Test
    void oneTraceRunsFromTheGatewayThroughTheInferenceServiceItCalls() {
        var call = embedTraced(SystemUnderTest.eu(), "hello world");
        String traceId = call.traceId();
        var collector = SystemUnderTest.traces();
        var trace = await().atMost(Duration.ofSeconds(30)).until(() -> collector.trace(traceId),
                spans -> services(spans).contains("meridian-inference"));
        var gateway = trace.stream().filter(s -> s.service().equals("meridian-gateway")).toList();
        var inference = trace.stream().filter(s -> s.service().equals("meridian-inference")
                && s.kind().equals("SPAN_KIND_SERVER")).toList();
        assertThat(gateway).as("the gateway's server span").anySatisfy(s -> {
            assertThat(s.kind()).isEqualTo("SPAN_KIND_SERVER");
            assertThat(s.attributes()).containsEntry(REQUEST_ID, call.requestId())
                    .containsKey("meridian.tenant_id");
        });
        assertThat(inference).as("the inference service's span is a child of the gateway's").isNotEmpty()
                .allSatisfy(s -> assertThat(gateway).extracting(TraceCollector.Span::spanId)
                        .contains(s.parentSpanId()));
    }

    @Test
    void aCallForwardedToTheHomeRegionStaysOneTraceAcrossBothGateways() {
        var call = embedTraced(SystemUnderTest.us(), "hello world");
        String traceId = call.traceId();
        var collector = SystemUnderTest.traces();
        var trace = await().atMost(Duration.ofSeconds(30)).until(() -> collector.trace(traceId),
                spans -> services(spans).contains("meridian-inference") && spans.stream().filter(s ->
                        s.service().equals("meridian-gateway") && s.kind().equals("SPAN_KIND_SERVER")).count() >= 2);
        assertThat(trace.stream().filter(s -> s.service().equals("meridian-gateway")
                && s.kind().equals("SPAN_KIND_SERVER")))
                .as("us-east's gateway span and, under it, eu-central's (the tenant's home)").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(s -> assertThat(s.attributes()).containsEntry(REQUEST_ID, call.requestId()));
    }

    @Test
    void aCallsUsageReachesBillingInTheCallsTrace() {
        String traceId = embedTraced(SystemUnderTest.eu(), "usage to bill").traceId();
        var collector = SystemUnderTest.traces();
        // Billing already serves the call's rate-limit lease in this trace (a server span); its ingestion of the
        // call's usage record is the consumer span awaited here.
        var ingestion = await("billing's ingestion joins the call's trace (the usage record's traceparent header)")
                .atMost(Duration.ofSeconds(60)).until(() -> collector.trace(traceId).stream()
                        .filter(s -> s.service().equals("meridian-billing") && s.kind().equals("SPAN_KIND_CONSUMER"))
                        .toList(), spans -> !spans.isEmpty());
        assertThat(ingestion).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(traceId));
    }

    @Test
    void aFineTuneJobIsOneTraceFromTheCallThroughTheOutboxTheWorkerAndItsEvents() {
        String key = SystemUnderTest.platform().demoApiKey();
        var lines = new ArrayList<String>();
        for (int i = 0; i < 6; i++) {
            lines.add("{\"text\":\"the striker scored goal " + i + "\",\"label\":\"sports\"}");
            lines.add("{\"text\":\"the chef baked loaf " + i + "\",\"label\":\"cooking\"}");
        }
        String file = given().baseUri(SystemUnderTest.eu()).header("Authorization", "Bearer " + key)
                .multiPart("purpose", "fine-tune").multiPart("file", "traced.jsonl",
                        (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
        String requestId = "trace-" + UUID.randomUUID();
        String job = given().baseUri(SystemUnderTest.eu()).header("Authorization", "Bearer " + key)
                .header("X-Request-Id", requestId).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "training_file", file, "suffix", "traced", "seed", 7,
                        "method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters",
                                Map.of("n_epochs", 1, "batch_size", 4)))))
                .post("/v1/fine_tuning/jobs").then().statusCode(200).extract().path("id");

        String traceId = traceOf(requestId);
        var collector = SystemUnderTest.traces();
        var trace = await("the job's hops in the call's trace").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1)).until(() -> collector.trace(traceId), spans ->
                        spans.stream().anyMatch(s -> s.service().equals("meridian-worker")
                                && s.name().equals("finetune.job"))
                        && spans.stream().anyMatch(s -> s.service().equals("meridian-models")
                                && s.kind().equals("SPAN_KIND_CONSUMER")));
        assertThat(trace).as("the models service took the call")
                .anySatisfy(s -> {
                    assertThat(s.service()).isEqualTo("meridian-models");
                    assertThat(s.kind()).isEqualTo("SPAN_KIND_SERVER");
                });
        assertThat(trace).filteredOn(s -> s.name().equals("finetune.job"))
                .as("the worker ran the job in the trace of the call that queued it (through the outbox)")
                .singleElement().satisfies(s -> assertThat(s.attributes()).containsValue(job));
    }
}
