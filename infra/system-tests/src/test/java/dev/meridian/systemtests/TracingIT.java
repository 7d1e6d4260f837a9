package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import java.time.Duration;
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

    private static Set<String> services(List<TraceCollector.Span> spans) {
        return spans.stream().map(TraceCollector.Span::service).collect(Collectors.toSet());
    }

    @Test
    void oneTraceRunsFromTheGatewayThroughTheInferenceServiceItCalls() {
        String requestId = "trace-" + UUID.randomUUID();
        given().baseUri(SystemUnderTest.eu()).header("Authorization", "Bearer " + SystemUnderTest.platform()
                        .demoApiKey()).header("X-Request-Id", requestId).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", "hello world"))
                .post("/v1/embeddings").then().statusCode(200);

        String traceId = traceOf(requestId);
        var collector = SystemUnderTest.traces();
        var trace = await().atMost(Duration.ofSeconds(30)).until(() -> collector.trace(traceId),
                spans -> services(spans).contains("meridian-inference"));
        var gateway = trace.stream().filter(s -> s.service().equals("meridian-gateway")).toList();
        var inference = trace.stream().filter(s -> s.service().equals("meridian-inference")
                && s.kind().equals("SPAN_KIND_SERVER")).toList();
        assertThat(gateway).as("the gateway's server span").anySatisfy(s -> {
            assertThat(s.kind()).isEqualTo("SPAN_KIND_SERVER");
            assertThat(s.attributes()).containsEntry(REQUEST_ID, requestId)
                    .containsKey("meridian.tenant_id");
        });
        assertThat(inference).as("the inference service's span is a child of the gateway's").isNotEmpty()
                .allSatisfy(s -> assertThat(gateway).extracting(TraceCollector.Span::spanId)
                        .contains(s.parentSpanId()));
    }

    @Test
    void aCallForwardedToTheHomeRegionStaysOneTraceAcrossBothGateways() {
        String requestId = "trace-" + UUID.randomUUID();
        given().baseUri(SystemUnderTest.us()).header("Authorization", "Bearer " + SystemUnderTest.platform()
                        .demoApiKey()).header("X-Request-Id", requestId).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", "hello world"))
                .post("/v1/embeddings").then().statusCode(200);

        String traceId = traceOf(requestId);
        var collector = SystemUnderTest.traces();
        var trace = await().atMost(Duration.ofSeconds(30)).until(() -> collector.trace(traceId),
                spans -> services(spans).contains("meridian-inference") && spans.stream().filter(s ->
                        s.service().equals("meridian-gateway") && s.kind().equals("SPAN_KIND_SERVER")).count() >= 2);
        assertThat(trace.stream().filter(s -> s.service().equals("meridian-gateway")
                && s.kind().equals("SPAN_KIND_SERVER")))
                .as("us-east's gateway span and, under it, eu-central's (the tenant's home)").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(s -> assertThat(s.attributes()).containsEntry(REQUEST_ID, requestId));
    }
}
