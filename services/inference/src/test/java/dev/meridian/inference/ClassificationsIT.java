package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.worker.export.OnnxExporter;
import dev.meridian.worker.training.Adam;
import dev.meridian.worker.training.Backbone;
import dev.meridian.worker.training.BaseModels;
import dev.meridian.worker.training.ClassifierHead;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/classifications} serving a tuned model exported by the worker's own code (backbone in ONNX Runtime, a
 * head trained with Adam, the protobuf export) and registered and deployed in the real models service as a job
 * registers it: served through the registry's deployment, stopped by an undeploy, the same numbers over OIP v2.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class ClassificationsIT {

    static final UUID TENANT = UUID.randomUUID();
    static final String JOB = "ftjob-classificationsit" + Math.abs(new Random().nextInt());
    static final String MODEL = "ft:all-minilm-l6-v2:topics:" + JOB;
    static final List<String> LABELS = List.of("cooking", "sports");
    static Backbone backbone;

    @BeforeAll
    static void registerATunedModel() throws Exception {
        var texts = new ArrayList<String>();
        var ys = new ArrayList<Integer>();
        for (String s : List.of("the striker scored a goal", "the team won the match", "the runner finished the race",
                "the referee showed a red card", "the tennis player served an ace", "the cyclist won the stage")) {
            texts.add(s);
            ys.add(1);
        }
        for (String s : List.of("the chef baked fresh bread", "she seasoned the soup with garlic",
                "roast the vegetables in the oven", "whisk the eggs for the omelette", "simmer the tomato sauce",
                "grill the salmon with lemon")) {
            texts.add(s);
            ys.add(0);
        }
        var ort = dev.meridian.common.onnx.OnnxRuntime.start("cpu", 2, "execution provider");
        var spec = BaseModels.find("all-minilm-l6-v2").orElseThrow();
        backbone = new Backbone(spec, ort.env(), ort.sessionOptions()); // kept open: tokenizes the OIP test's texts
        float[][] x = backbone.embed(texts.stream().map(backbone::tokenize).toList());
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        var head = new ClassifierHead(384, 2, new Random(1));
        var adam = new Adam(0.05f, 384 * 2, 2);
        int[] order = java.util.stream.IntStream.range(0, x.length).toArray();
        for (int epoch = 0; epoch < 100; epoch++) {
            head.step(x, y, order, 0, x.length, adam);
        }
        assertThat(head.evaluate(x, y).accuracy()).isEqualTo(1.0);
        byte[] model = OnnxExporter.export(backbone.onnx(), backbone.hiddenOutput(), spec.pooling(), head.w, head.b,
                LABELS, Map.of(OnnxExporter.BASE_MODEL_KEY, spec.id()));
        // as TunedModelRegistration does for a succeeded job: a version of ft:..., then deployed
        int version = TenantModelsResource.registry(TENANT).multiPart("file", "model.onnx", model)
                .multiPart("name", MODEL).post("/v1/models").then().statusCode(201).extract().path("version");
        TenantModelsResource.registry(TENANT).post("/v1/models/{m}/versions/{v}/deploy", MODEL, version).then()
                .statusCode(200);
    }

    @AfterAll
    static void closeTheBackbone() {
        if (backbone != null) {
            backbone.close();
        }
    }

    private static io.restassured.specification.RequestSpecification as(UUID tenant) {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON);
    }

    private static int classifyStatus() {
        return as(TENANT).body(Map.of("model", MODEL, "input", "the match")).post("/v1/classifications").then()
                .extract().statusCode();
    }

    /**
     * Polls until the classification answers {@code wanted}; how long it took, or a failure naming the last status
     * after 5 s.
     */
    private static long millisUntil(int wanted) {
        long start = System.nanoTime();
        await("/v1/classifications answers " + wanted).atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(classifyStatus()).as("/v1/classifications status").isEqualTo(wanted));
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void theTunedModelLabelsTextsWithScoresAndReportsUsage() {
        var response = as(TENANT).body(Map.of("model", MODEL, "input", List.of(
                        "the goalkeeper saved a penalty in the final", "knead the dough and bake it for an hour")))
                .post("/v1/classifications").then().statusCode(200)
                .header(MeridianHeaders.USAGE, containsString("classification_items=2"))
                .header(MeridianHeaders.USAGE, containsString("model_run_milliseconds="))
                .header(MeridianHeaders.MODEL, MODEL)
                .body("object", equalTo("list")).body("model", equalTo(MODEL))
                .body("data[0].label", equalTo("sports")).body("data[1].label", equalTo("cooking"))
                .body("data[0].object", equalTo("classification")).body("data[1].index", equalTo(1))
                .extract().jsonPath();
        Map<String, Float> scores = response.getMap("data[0].scores");
        assertThat(scores).containsOnlyKeys("cooking", "sports");
        assertThat(scores.values().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0, Offset.offset(1e-4));
        assertThat(response.getInt("usage.prompt_tokens")).isPositive();
        as(TENANT).body(Map.of("model", MODEL, "input", "whisk the cream until stiff")).post("/v1/classifications")
                .then().statusCode(200).body("data[0].label", equalTo("cooking"));
    }

    @Test
    void undeployingTheVersionStopsClassificationWithinSecondsAndRedeployingBringsItBack() throws Exception {
        assertThat(classifyStatus()).isEqualTo(200); // deployment and session cached now
        TenantModelsResource.registry(TENANT).post("/v1/models/{m}/versions/1/undeploy", MODEL).then().statusCode(200);
        try {
            long stopped = millisUntil(404);
            System.out.printf("[classifications] undeploy stopped serving after %d ms%n", stopped);
            assertThat(stopped).isLessThan(2000);
            as(TENANT).body(Map.of("model", MODEL, "input", "the match")).post("/v1/classifications").then()
                    .statusCode(404).body("error.type", equalTo("invalid_request_error"))
                    .body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"))
                    .body("error.message", containsString(MODEL));
        } finally {
            TenantModelsResource.registry(TENANT).post("/v1/models/{m}/versions/1/deploy", MODEL).then()
                    .statusCode(200);
        }
        long back = millisUntil(200);
        System.out.printf("[classifications] redeploy served again after %d ms%n", back);
    }

    @Test
    void oipInferOfTheTunedModelGivesTheProbabilitiesClassificationAnswers() {
        List<String> texts = List.of("the goalkeeper saved a penalty in the final",
                "knead the dough and bake it for an hour", "a quiet afternoon");
        JsonPath meta = as(TENANT).get("/v2/models/{m}", MODEL).then().statusCode(200)
                .body("outputs[0].name", equalTo("probabilities")).extract().jsonPath();
        List<String> inputNames = meta.getList("inputs.name");
        assertThat(inputNames).contains("input_ids", "attention_mask");

        // the tensors the exported model declares, tokenized as the base model tokenizes, padded to the longest
        var tokens = texts.stream().map(backbone::tokenize).toList();
        int len = tokens.stream().mapToInt(t -> t.ids().length).max().orElseThrow();
        Map<String, List<Long>> data = new HashMap<>();
        for (String name : inputNames) {
            List<Long> values = new ArrayList<>();
            for (var t : tokens) {
                long[] v = switch (name) {
                    case "input_ids" -> t.ids();
                    case "attention_mask" -> t.mask();
                    case "token_type_ids" -> t.types();
                    default -> throw new AssertionError("unexpected input " + name);
                };
                for (int i = 0; i < len; i++) {
                    values.add(i < v.length ? v[i] : 0L);
                }
            }
            data.put(name, values);
        }
        List<Map<String, Object>> inputs = inputNames.stream().map(name -> Map.<String, Object>of("name", name,
                "datatype", "INT64", "shape", List.of(texts.size(), len), "data", data.get(name))).toList();
        JsonPath oip = as(TENANT).body(Map.of("inputs", inputs)).post("/v2/models/{m}/infer", MODEL).then()
                .statusCode(200).body("model_name", equalTo(MODEL)).body("model_version", equalTo("1"))
                .body("outputs[0].name", equalTo("probabilities"))
                .body("outputs[0].shape", equalTo(List.of(texts.size(), LABELS.size()))).extract().jsonPath();
        List<Float> probabilities = oip.getList("outputs[0].data", Float.class);

        JsonPath classified = as(TENANT).body(Map.of("model", MODEL, "input", texts)).post("/v1/classifications")
                .then().statusCode(200).extract().jsonPath();
        for (int i = 0; i < texts.size(); i++) {
            Map<String, Float> scores = classified.getMap("data[" + i + "].scores", String.class, Float.class);
            for (int k = 0; k < LABELS.size(); k++) {
                assertThat(probabilities.get(i * LABELS.size() + k)).as("text %d, label %s", i, LABELS.get(k))
                        .isCloseTo(scores.get(LABELS.get(k)), Offset.offset(1e-4f));
            }
        }
        assertThat(probabilities.get(0)).isLessThan(probabilities.get(1)); // the goalkeeper: sports
        assertThat(probabilities.get(2)).isGreaterThan(probabilities.get(3)); // the dough: cooking
    }

    @Test
    void embeddingsOnTheTunedClassifierIs400PointingToClassifications() {
        as(TENANT).body(Map.of("model", MODEL, "input", "the match")).post("/v1/embeddings").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("model_not_embedding")).body("error.param", equalTo("model"))
                .body("error.message", containsString("classifier"))
                .body("error.message", containsString("/v1/classifications"));
        // for another tenant the model does not exist, as before
        as(UUID.randomUUID()).body(Map.of("model", MODEL, "input", "the match")).post("/v1/embeddings").then()
                .statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void anotherTenantCannotUseTheModel() {
        as(UUID.randomUUID()).body(Map.of("model", MODEL, "input", "the match")).post("/v1/classifications").then()
                .statusCode(404).body("error.code", equalTo("model_not_found"));
        as(UUID.randomUUID()).body(Map.of("inputs", List.of())).post("/v2/models/{m}/infer", MODEL).then()
                .statusCode(404);
    }

    @Test
    void badRequestsSayWhatIsWrong() {
        as(TENANT).body(Map.of("model", "ft:all-minilm-l6-v2:topics:ftjob-nosuchjob", "input", "x"))
                .post("/v1/classifications").then().statusCode(404).body("error.param", equalTo("model"));
        as(TENANT).body(Map.of("model", "all-minilm-l6-v2", "input", "x")).post("/v1/classifications").then()
                .statusCode(404).body("error.message", containsString("fine_tuned_model"));
        as(TENANT).body(Map.of("model", MODEL, "input", List.of())).post("/v1/classifications").then().statusCode(400)
                .body("error.param", equalTo("input"));
        as(TENANT).body(Map.of("model", MODEL, "inputs", "x")).post("/v1/classifications").then().statusCode(400)
                .body("error.code", equalTo("unknown_parameter"));
    }
}
