package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.worker.export.OnnxExporter;
import dev.meridian.worker.training.Adam;
import dev.meridian.worker.training.Backbone;
import dev.meridian.worker.training.BaseModels;
import dev.meridian.worker.training.ClassifierHead;
import dev.meridian.worker.training.OrtRuntime;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/classifications} serving a tuned model exported by the worker's own code (backbone in ONNX Runtime, a
 * head trained with Adam, the protobuf export), stored where a job stores it.
 */
@QuarkusTest
class ClassificationsIT {

    static final UUID TENANT = UUID.randomUUID();
    static final String JOB = "ftjob-classificationsit" + Math.abs(new Random().nextInt());
    static final String MODEL = "ft:all-minilm-l6-v2:topics:" + JOB;
    static final List<String> LABELS = List.of("cooking", "sports");

    @BeforeAll
    static void exportATunedModel() throws Exception {
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
        var ort = new OrtRuntime("cpu", 2);
        var spec = BaseModels.find("all-minilm-l6-v2").orElseThrow();
        try (var backbone = new Backbone(spec, ort.env(), ort.sessionOptions())) {
            float[][] x = backbone.embed(texts.stream().map(backbone::tokenize).toList());
            int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
            var head = new ClassifierHead(384, 2, new Random(1));
            var adam = new Adam(0.05f, 384 * 2, 2);
            int[] order = java.util.stream.IntStream.range(0, x.length).toArray();
            for (int epoch = 0; epoch < 100; epoch++) {
                head.step(x, y, order, 0, x.length, adam);
            }
            assertThat(head.evaluate(x, y).accuracy()).isEqualTo(1.0);
            byte[] model = OnnxExporter.export(backbone.onnx(), backbone.hiddenOutput(), spec.pooling(), head.w,
                    head.b, LABELS, Map.of(OnnxExporter.BASE_MODEL_KEY, spec.id()));
            Path file = Path.of("target/blobs").resolve(FineTuneBlobs.model(TENANT, JOB));
            Files.createDirectories(file.getParent());
            Files.write(file, model);
        }
    }

    private static io.restassured.specification.RequestSpecification as(UUID tenant) {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON);
    }

    @Test
    void theTunedModelLabelsTextsWithScoresAndReportsUsage() {
        var response = as(TENANT).body(Map.of("model", MODEL, "input", List.of(
                        "the goalkeeper saved a penalty in the final", "knead the dough and bake it for an hour")))
                .post("/v1/classifications").then().statusCode(200)
                .header(MeridianHeaders.USAGE, containsString("classification_items=2"))
                .header(MeridianHeaders.MODEL, MODEL)
                .body("object", equalTo("list")).body("model", equalTo(MODEL))
                .body("data[0].label", equalTo("sports")).body("data[1].label", equalTo("cooking"))
                .body("data[0].object", equalTo("classification")).body("data[1].index", equalTo(1))
                .extract().jsonPath();
        Map<String, Float> scores = response.getMap("data[0].scores");
        assertThat(scores).containsOnlyKeys("cooking", "sports");
        assertThat(scores.values().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-4));
        assertThat(response.getInt("usage.prompt_tokens")).isPositive();
        as(TENANT).body(Map.of("model", MODEL, "input", "whisk the cream until stiff")).post("/v1/classifications")
                .then().statusCode(200).body("data[0].label", equalTo("cooking"));
    }

    @Test
    void anotherTenantCannotUseTheModel() {
        as(UUID.randomUUID()).body(Map.of("model", MODEL, "input", "the match")).post("/v1/classifications").then()
                .statusCode(404).body("error.code", equalTo("model_not_found"));
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
