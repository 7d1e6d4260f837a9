package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.models.BaseModel;
import dev.meridian.inference.catalog.ModelHost;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /q/metrics} after real calls: the batchers' and HTTP metrics move, and route labels are templates. */
@QuarkusTest
class MetricsIT {

    @Inject
    ModelHost host;

    @Test
    void servingMovesTheBatchingMetricsAndRoutesAreLabelledByTemplate() {
        BaseModel m = host.models().getFirst();
        String before = metrics();
        // two texts of different length in one call: one batch, the shorter one padded
        given().contentType(ContentType.JSON)
                .body(Map.of("model", m.id(), "input", List.of("short", "a much longer text than the other one is")))
                .post("/v1/embeddings").then().statusCode(200);
        given().get("/v2/models/{m}", m.id()).then().statusCode(200);
        String after = metrics();

        String model = "model=\"" + m.id() + "\"";
        assertThat(value(after, "meridian_inference_requests_total", model))
                .isEqualTo(value(before, "meridian_inference_requests_total", model) + 1);
        assertThat(value(after, "meridian_inference_inputs_total", model))
                .isEqualTo(value(before, "meridian_inference_inputs_total", model) + 2);
        assertThat(value(after, "meridian_inference_batch_size_count", model))
                .isGreaterThan(value(before, "meridian_inference_batch_size_count", model));
        assertThat(value(after, "meridian_inference_padded_tokens_sum", model))
                .isGreaterThan(value(before, "meridian_inference_padded_tokens_sum", model));
        assertThat(value(after, "meridian_inference_model_run_seconds_count", model))
                .isGreaterThan(value(before, "meridian_inference_model_run_seconds_count", model));
        assertThat(after).contains("meridian_inference_queue_depth{" + model,
                "meridian_inference_session_cache_budget_bytes", "meridian_inference_tenant_runs_total{outcome=\"refused\"");

        // RED per route, labelled with the route template, never a raw model id
        assertThat(after).contains("uri=\"/v1/embeddings\"", "uri=\"/v2/models/{model}\"",
                "http_server_requests_seconds_bucket{");
        assertThat(after.lines().filter(l -> l.startsWith("http_server_requests"))
                .filter(l -> l.contains("uri=\"/v2/models/" + m.id()))).isEmpty();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample named {@code name} whose labels contain {@code label}; 0 when there is none yet. */
    private static double value(String exposition, String name, String label) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
