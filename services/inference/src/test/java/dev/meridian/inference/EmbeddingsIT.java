package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.models.BaseModel;
import dev.meridian.inference.catalog.ModelHost;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The real base models in ONNX Runtime, through the service's HTTP API. */
@QuarkusTest
class EmbeddingsIT {

    @Inject
    ModelHost host;

    static float[] vector(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void everyBaseModelMatchesItsInProcessReferenceAndIsNormalised() {
        for (BaseModel m : host.models()) {
            String text = m.languages().contains("zh") ? "今天天气很好，我们去公园散步。" : "The quick brown fox jumps over the lazy dog.";
            String longer = text + " " + text + " and more words";
            var e = host.find(m.id()).orElseThrow().embedder();
            float[] alone = e.embed(List.of(e.tokenize(text, false)))[0];
            float[] sameBatch = e.embed(List.of(e.tokenize(text, false), e.tokenize(longer, false)))[0];

            // Sent beside a longer text, so the service pads this one inside a batch.
            List<List<Float>> data = given().contentType(ContentType.JSON)
                    .body(Map.of("model", m.id(), "input", List.of(text, longer)))
                    .post("/v1/embeddings").then().statusCode(200)
                    .body("object", equalTo("list")).body("model", equalTo(m.id()))
                    .extract().path("data.embedding");
            float[] served = vector(data.get(0));
            assertThat(served).hasSize(m.dimensions());
            assertThat(cosine(served, sameBatch)).as(m.id() + " vs raw ONNX Runtime on the same batch")
                    .isGreaterThanOrEqualTo(0.999);
            // Padding must not change a vector. Dynamically quantized models compute activation scales over the
            // whole batch, so for them the batch's other texts move a vector slightly (docs/architecture.md).
            assertThat(cosine(served, alone)).as(m.id() + " vs raw ONNX Runtime on the text alone")
                    .isGreaterThanOrEqualTo(m.quantized() ? 0.98 : 0.999);
            double norm = 0;
            for (float x : served) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).as(m.id() + " norm").isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void similarTextsAreCloserThanUnrelatedOnes() {
        List<List<Float>> data = given().contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input",
                        List.of("A cat sits on the mat.", "A kitten is sitting on a rug.", "Stock markets fell sharply.")))
                .post("/v1/embeddings").then().statusCode(200).extract().path("data.embedding");
        assertThat(cosine(vector(data.get(0)), vector(data.get(1))))
                .isGreaterThan(cosine(vector(data.get(0)), vector(data.get(2))) + 0.2);
    }

    @Test
    void usageCountsRealTokensAndBase64DecodesToTheSameVector() {
        var floats = given().contentType(ContentType.JSON)
                .body(Map.of("model", "bge-small-en-v1.5-q", "input", "hello world"))
                .post("/v1/embeddings").then().statusCode(200)
                .body("usage.prompt_tokens", equalTo(4)) // [CLS] hello world [SEP]
                .extract().<List<Float>>path("data[0].embedding");
        String b64 = given().contentType(ContentType.JSON)
                .body(Map.of("model", "bge-small-en-v1.5-q", "input", "hello world", "encoding_format", "base64"))
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[buf.remaining() / 4];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = buf.getFloat();
        }
        assertThat(decoded).containsExactly(vector(floats), org.assertj.core.data.Offset.offset(0f));
    }

    @Test
    void successfulCallsReportTheirUsageToTheGatewayAndFailedOnesDoNot() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model", "bge-small-en-v1.5", "input", List.of("hello world", "good morning to you")))
                .post("/v1/embeddings").then().statusCode(200)
                .body("usage.prompt_tokens", equalTo(10)) // 4 + [CLS] good morning to you [SEP]
                .header("X-Meridian-Usage", equalTo("input_tokens=10,embedded_items=2"))
                .header("X-Meridian-Model", equalTo("bge-small-en-v1.5"));
        given().contentType(ContentType.JSON).body(Map.of("model", "gpt-4", "input", "x"))
                .post("/v1/embeddings").then().statusCode(404)
                .header("X-Meridian-Usage", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void overlongInputIsRefusedUnlessTruncationIsAsked() {
        String longText = "word ".repeat(400);
        given().contentType(ContentType.JSON).body(Map.of("model", "all-minilm-l6-v2", "input", longText))
                .post("/v1/embeddings").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.message", containsString("truncate"));
        given().contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", longText, "truncate", true))
                .post("/v1/embeddings").then().statusCode(200)
                .body("usage.prompt_tokens", equalTo(256));
    }

    @Test
    void badRequestsGetOpenAiErrors() {
        given().contentType(ContentType.JSON).body(Map.of("model", "gpt-4", "input", "x"))
                .post("/v1/embeddings").then().statusCode(404).body("error.code", equalTo("model_not_found"));
        given().contentType(ContentType.JSON).body(Map.of("model", "all-minilm-l6-v2", "input", List.of(1, 2)))
                .post("/v1/embeddings").then().statusCode(400).body("error.param", equalTo("input"));
        given().contentType(ContentType.JSON).body(Map.of("model", "all-minilm-l6-v2", "input", "x", "colour", 1))
                .post("/v1/embeddings").then().statusCode(400).body("error.param", equalTo("colour"));
    }

    @Test
    void concurrentRequestsAreMergedIntoBatches() throws Exception {
        var pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String text = "concurrent request number " + i;
                calls.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                        .body(Map.of("model", "all-minilm-l6-v2-q", "input", text))
                        .post("/v1/embeddings").statusCode(), pool));
            }
            for (var c : calls) {
                assertThat(c.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        List<Map<String, Integer>> batches = given().get("/v2/models/all-minilm-l6-v2-q/stats").then().statusCode(200)
                .extract().path("batch_stats");
        int largest = batches.stream().mapToInt(b -> b.get("batch_size")).max().orElse(0);
        int executions = batches.stream().mapToInt(b -> b.get("execution_count")).sum();
        assertThat(largest).as("largest batch").isGreaterThan(1);
        assertThat(executions).as("model calls for 64 requests").isLessThan(64);
    }
}
