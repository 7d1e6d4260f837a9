package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Tenant models end to end: uploaded to and deployed in the real models service, served here over OIP v2 from the
 * shared blob store, stopped by an undeploy within about a second, never across tenants.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class TenantModelServingIT {

    private static RequestSpecification registry(UUID tenant) {
        return TenantModelsResource.registry(tenant);
    }

    private static void deployed(UUID tenant, String name, byte[] model) {
        int version = registry(tenant).multiPart("file", "m.onnx", model).multiPart("name", name)
                .post("/v1/models").then().statusCode(201).extract().path("version");
        registry(tenant).post("/v1/models/" + name + "/versions/" + version + "/deploy").then().statusCode(200);
    }

    /** Waits until this service serves the model with that batch size (the registry's change arrives via Kafka). */
    private static void awaitMaxBatchSize(UUID tenant, String model, int size) {
        await("max_batch_size " + size + " served for " + model + " after the redeploy").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                    int served = inference(tenant).get("/v2/models/" + model + "/config").then().statusCode(200)
                            .extract().path("max_batch_size");
                    assertThat(served).as("max_batch_size served after the redeploy").isEqualTo(size);
                });
    }

    /**
     * Callers at once: a tenant's cap of calls running or waiting ({@code runs.max-per-tenant}, 8 by default). More
     * would get 429 by design, since a caller's slot is freed just before its answer is sent.
     */
    private static final int CALLERS = 8;

    /** Single-row calls from {@link #CALLERS} threads; checks every answer and returns the model's batch statistics. */
    private static JsonPath concurrentCalls(UUID tenant, String model, int calls)
            throws Exception {
        var pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<List<Float>>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                float v = i;
                answers.add(pool.submit(() -> inference(tenant).body(Map.of("inputs", List.of(floats("x",
                                List.of(1, 3), List.of(v, v, v))))).post("/v2/models/" + model + "/infer")
                        .then().statusCode(200).extract().<List<Float>>path("outputs[0].data")));
            }
            for (int i = 0; i < calls; i++) {
                assertThat(answers.get(i).get()).as("call " + i).isEqualTo(List.of(i + 1f, i + 2f, i + 3f));
            }
        } finally {
            pool.shutdown();
        }
        return inference(tenant).get("/v2/models/" + model + "/stats").then().statusCode(200).extract().jsonPath();
    }

    /** A call to this inference service as the gateway makes it. */
    private static RequestSpecification inference(UUID tenant) {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON);
    }

    private static Map<String, Object> floats(String name, List<Integer> shape, List<Float> data) {
        return Map.of("name", name, "datatype", "FP32", "shape", shape, "data", data);
    }

    @Test
    void aDeployedModelAnswersWithTheRightNumbers() {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "adder", OnnxModels.addConstant(10f, 20f, 30f));
        inference(tenant).get("/v2/models/adder").then().statusCode(200)
                .body("name", equalTo("adder"))
                .body("versions", equalTo(List.of("1")))
                .body("inputs[0].name", equalTo("x"))
                .body("inputs[0].datatype", equalTo("FP32"))
                .body("inputs[0].shape", equalTo(List.of(-1, 3)));
        inference(tenant).get("/v2/models/adder/ready").then().statusCode(200);
        inference(tenant).body(Map.of("id", "r1", "inputs", List.of(floats("x", List.of(2, 3),
                        List.of(1f, 2f, 3f, 4f, 5f, 6f)))))
                .post("/v2/models/adder/infer").then().statusCode(200)
                .body("id", equalTo("r1"))
                .body("model_name", equalTo("adder"))
                .body("model_version", equalTo("1"))
                .body("outputs[0].name", equalTo("y"))
                .body("outputs[0].datatype", equalTo("FP32"))
                .body("outputs[0].shape", equalTo(List.of(2, 3)))
                .body("outputs[0].data", equalTo(List.of(11f, 22f, 33f, 14f, 25f, 36f)));
        inference(tenant).body(Map.of("inputs", List.of(floats("x", List.of(1, 3), List.of(0f, 0f, 0f)))))
                .post("/v2/models/adder/versions/1/infer").then().statusCode(200)
                .body("outputs[0].data", equalTo(List.of(10f, 20f, 30f)));
    }

    @Test
    void integerBooleanAndStringTensorsPassThrough() {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "ids", OnnxModels.identity(OnnxModels.INT64, 2));
        deployed(tenant, "flags", OnnxModels.identity(OnnxModels.BOOL, 2));
        deployed(tenant, "words", OnnxModels.identity(OnnxModels.STRING, 2));
        inference(tenant).body(Map.of("inputs", List.of(Map.of("name", "x", "datatype", "INT64", "shape",
                List.of(1, 2), "data", List.of(9007199254740993L, -5))))).post("/v2/models/ids/infer").then()
                .statusCode(200).body("outputs[0].datatype", equalTo("INT64"))
                .body("outputs[0].data[1]", equalTo(-5));
        inference(tenant).body(Map.of("inputs", List.of(Map.of("name", "x", "datatype", "BOOL", "shape",
                List.of(1, 2), "data", List.of(true, false))))).post("/v2/models/flags/infer").then()
                .statusCode(200).body("outputs[0].data", equalTo(List.of(true, false)));
        inference(tenant).body(Map.of("inputs", List.of(Map.of("name", "x", "datatype", "BYTES", "shape",
                List.of(1, 2), "data", List.of("héllo", "world"))))).post("/v2/models/words/infer").then()
                .statusCode(200).body("outputs[0].data", equalTo(List.of("héllo", "world")));
    }

    @Test
    void wrongDatatypeShapeOrNameIs400NamingTheInput() {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "adder", OnnxModels.addConstant(1f, 2f));
        inference(tenant).body(Map.of("inputs", List.of(Map.of("name", "x", "datatype", "INT32", "shape",
                List.of(1, 2), "data", List.of(1, 2))))).post("/v2/models/adder/infer").then().statusCode(400)
                .body("error", containsString("'x'")).body("error", containsString("FP32"));
        inference(tenant).body(Map.of("inputs", List.of(floats("x", List.of(1, 3), List.of(1f, 2f, 3f)))))
                .post("/v2/models/adder/infer").then().statusCode(400)
                .body("error", containsString("'x'")).body("error", containsString("[-1, 2]"));
        inference(tenant).body(Map.of("inputs", List.of(floats("x", List.of(2, 2), List.of(1f, 2f, 3f)))))
                .post("/v2/models/adder/infer").then().statusCode(400)
                .body("error", containsString("'x'")).body("error", containsString("4 elements"));
        inference(tenant).body(Map.of("inputs", List.of(floats("pixels", List.of(1, 2), List.of(1f, 2f)))))
                .post("/v2/models/adder/infer").then().statusCode(400).body("error", containsString("'pixels'"));
    }

    @Test
    void anotherTenantsModelIs404LikeAMissingOne() {
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        deployed(owner, "secret", OnnxModels.addConstant(1f));
        var body = Map.of("inputs", List.of(floats("x", List.of(1, 1), List.of(1f))));
        String missing = inference(other).body(body).post("/v2/models/nothing-here/infer").then().statusCode(404)
                .extract().path("error");
        String theirs = inference(other).body(body).post("/v2/models/secret/infer").then().statusCode(404)
                .extract().path("error");
        assertThat(theirs).isEqualTo(missing.replace("nothing-here", "secret"));
        inference(other).get("/v2/models/secret").then().statusCode(404);
        inference(other).get("/v2/models/secret/ready").then().statusCode(404);
        inference(owner).body(body).post("/v2/models/secret/infer").then().statusCode(200);
    }

    @Test
    void undeployStopsServingWithinASecond() throws Exception {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "brief", OnnxModels.addConstant(1f));
        var body = Map.of("inputs", List.of(floats("x", List.of(1, 1), List.of(1f))));
        inference(tenant).body(body).post("/v2/models/brief/infer").then().statusCode(200); // cached now
        registry(tenant).post("/v1/models/brief/versions/1/undeploy").then().statusCode(200);
        long start = System.nanoTime();
        int status = await("the undeployed model stops answering 200").atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(() -> inference(tenant).body(body).post("/v2/models/brief/infer").then().extract().statusCode(),
                        s -> s != 200);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[tenant-models] undeploy stopped serving after %d ms%n", millis);
        assertThat(status).isEqualTo(404);
        assertThat(millis).isLessThan(1500);
    }

    @Test
    void moreModelsThanTheSessionBudgetHoldsAreAllServed() {
        UUID tenant = UUID.randomUUID();
        // Each tiny model is estimated at about 1 MiB (the fixed overhead); the test budget holds two.
        for (int i = 0; i < 4; i++) {
            deployed(tenant, "lru-" + i, OnnxModels.addConstant(i * 100f));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                inference(tenant).body(Map.of("inputs", List.of(floats("x", List.of(1, 1), List.of(1f)))))
                        .post("/v2/models/lru-" + i + "/infer").then().statusCode(200)
                        .body("outputs[0].data", equalTo(List.of(1f + i * 100f)));
            }
        }
        given().get("/internal/v1/sessions").then().statusCode(200)
                .body("budget_bytes", equalTo(3000000))
                .body("sessions", org.hamcrest.Matchers.lessThanOrEqualTo(2))
                .body("evictions", org.hamcrest.Matchers.greaterThanOrEqualTo(6));
    }

    @Test
    void concurrentCallsToATenantModelAreMergedIntoBatchesAndEachGetsItsOwnRows() throws Exception {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "batched", OnnxModels.addConstant(1f, 2f, 3f));
        inference(tenant).get("/v2/models/batched/ready").then().statusCode(200);
        inference(tenant).get("/v2/models/batched/config").then().statusCode(200)
                .body("max_batch_size", equalTo(32))
                .body("dynamic_batching.max_queue_delay_microseconds", equalTo(0));
        int calls = 96;
        var pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<List<Float>>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                float v = i;
                // Every other call sends two rows, so merged batches mix requests of different sizes.
                List<Float> data = i % 2 == 0 ? List.of(v, v, v) : List.of(v, v, v, -v, -v, -v);
                answers.add(pool.submit(() -> inference(tenant).body(Map.of("inputs", List.of(floats("x",
                                List.of(data.size() / 3, 3), data)))).post("/v2/models/batched/infer")
                        .then().statusCode(200).extract().<List<Float>>path("outputs[0].data")));
            }
            for (int i = 0; i < calls; i++) {
                float v = i;
                List<Float> expected = i % 2 == 0 ? List.of(v + 1, v + 2, v + 3)
                        : List.of(v + 1, v + 2, v + 3, -v + 1, -v + 2, -v + 3);
                assertThat(answers.get(i).get()).as("call " + i).isEqualTo(expected);
            }
        } finally {
            pool.shutdown();
        }
        var stats = inference(tenant).get("/v2/models/batched/stats").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getInt("request_count")).isEqualTo(calls);
        assertThat(stats.getInt("inference_count")).isEqualTo(calls / 2 + calls);
        List<Integer> sizes = stats.getList("batch_stats.batch_size", Integer.class);
        assertThat(sizes).as("batch sizes of the model calls").anyMatch(size -> size > 1);
        assertThat(stats.getInt("execution_count")).as("model calls for " + calls + " requests").isLessThan(calls);
    }

    @Test
    void aDeploymentsOwnBatchSizeIsHonouredAndARedeployChangesIt() throws Exception {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "tuned", OnnxModels.addConstant(1f, 2f, 3f));
        registry(tenant).contentType(ContentType.JSON)
                .body(Map.of("dynamic_batching", Map.of("max_batch_size", 2, "max_queue_delay_ms", 5)))
                .post("/v1/models/tuned/versions/1/deploy").then().statusCode(200);
        awaitMaxBatchSize(tenant, "tuned", 2);
        inference(tenant).get("/v2/models/tuned/config").then().statusCode(200)
                .body("dynamic_batching.max_queue_delay_microseconds", equalTo(5000));
        var stats = concurrentCalls(tenant, "tuned", 48);
        List<Integer> sizes = stats.getList("batch_stats.batch_size", Integer.class);
        assertThat(sizes).as("batch sizes with max_batch_size 2").containsOnly(1, 2).contains(2);

        registry(tenant).contentType(ContentType.JSON).body(Map.of("dynamic_batching", Map.of("max_batch_size", 1)))
                .post("/v1/models/tuned/versions/1/deploy").then().statusCode(200);
        awaitMaxBatchSize(tenant, "tuned", 0);
        stats = concurrentCalls(tenant, "tuned", 48);
        assertThat(stats.getInt("request_count")).as("calls batched after max_batch_size 1").isZero();
    }
}
