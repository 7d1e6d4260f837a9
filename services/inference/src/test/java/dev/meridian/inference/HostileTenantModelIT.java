package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.tenant.Deployments;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tenant models whose work depends on their input values pass the registry's zero-filled trial run and then meet
 * this service's limits: they run on their own pool (two threads in tests), are stopped at the time limit (6 s in
 * tests) and may not answer more than the output cap (1 MB in tests), while base-model embeddings keep answering.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class HostileTenantModelIT {

    private static final long FOREVER = 1_000_000_000_000_000L;

    @Inject
    Deployments deployments;

    private static void deployed(UUID tenant, String name, byte[] model) {
        int version = TenantModelsResource.registry(tenant).multiPart("file", "m.onnx", model).multiPart("name", name)
                .post("/v1/models").then().statusCode(201).extract().path("version");
        TenantModelsResource.registry(tenant).post("/v1/models/" + name + "/versions/" + version + "/deploy").then()
                .statusCode(200);
    }

    private static RequestSpecification as(UUID tenant) {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON);
    }

    private static Map<String, Object> int64(String name, List<Integer> shape, List<Long> data) {
        return Map.of("name", name, "datatype", "INT64", "shape", shape, "data", data);
    }

    private static Response loop(UUID tenant, long trips) {
        return as(tenant).body(Map.of("inputs", List.of(int64("x", List.of(), List.of(trips)))))
                .post("/v2/models/spinner/infer");
    }

    private static int running() {
        return given().get("/internal/v1/tenant-runs").then().statusCode(200).extract().path("running");
    }

    @Test
    void aSpinningTenantModelIsStoppedAtItsTimeLimitWhileBaseEmbeddingsKeepAnswering() throws Exception {
        UUID hostile = UUID.randomUUID();
        deployed(hostile, "spinner", OnnxModels.loopsFromInput());
        assertThat(loop(hostile, 0).then().statusCode(200).extract().<Integer>path("outputs[0].data[0]")).isZero();

        // as many spinning calls as tenant models have threads: every one of them is taken
        var callers = Executors.newFixedThreadPool(2);
        List<CompletableFuture<Response>> spinning = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            spinning.add(CompletableFuture.supplyAsync(() -> loop(hostile, FOREVER), callers));
        }
        callers.shutdown();
        await("both tenant-model threads spinning").atMost(Duration.ofSeconds(10))
                .until(() -> running() == 2);

        // base-model embeddings of another tenant answer promptly meanwhile (before, they waited on the run gate
        // the spinning calls held, for ever)
        UUID other = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            as(other).body(Map.of("model", "all-minilm-l6-v2", "input", "still answering " + i))
                    .post("/v1/embeddings").then().statusCode(200).body("data[0].embedding.size()", equalTo(384));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("embedding call " + i)
                    .isLessThan(Duration.ofSeconds(2));
        }
        assertThat(running()).as("the spinning calls still ran while the embeddings answered").isEqualTo(2);

        for (var call : spinning) {
            call.get(30, TimeUnit.SECONDS).then().statusCode(504)
                    .body("error", containsString("time limit of 6000 ms"))
                    .body("error", containsString("meridian.inference.tenant-models.runs.time-limit"));
        }
        // the threads are free again: a later call runs, and the time it ran is metered
        loop(hostile, 5).then().statusCode(200).body("outputs[0].data[0]", equalTo(5))
                .header(MeridianHeaders.USAGE, containsString("model_run_milliseconds="));
        assertThat(given().get("/internal/v1/tenant-runs").then().extract().<Integer>path("stopped_at_time_limit"))
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void anAnswerLargerThanTheOutputCapIs422NamingTheLimit() {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "balloon", OnnxModels.allocatesFromInput(1));
        as(tenant).body(Map.of("inputs", List.of(int64("x", List.of(1), List.of(10L)))))
                .post("/v2/models/balloon/infer").then().statusCode(200).body("outputs[0].shape", equalTo(List.of(11)));
        as(tenant).body(Map.of("inputs", List.of(int64("x", List.of(1), List.of(1_000_000L)))))
                .post("/v2/models/balloon/infer").then().statusCode(422)
                .body("error", containsString("4000004 bytes"))
                .body("error", containsString("meridian.inference.tenant-models.runs.max-output-bytes"));
    }

    @Test
    void unknownModelNamesLeaveNoEntryInTheDeploymentCache() {
        int before = deployments.cached();
        UUID tenant = UUID.randomUUID();
        for (int i = 0; i < 50; i++) {
            as(tenant).body(Map.of("inputs", List.of())).post("/v2/models/made-up-" + UUID.randomUUID() + "/infer")
                    .then().statusCode(404);
        }
        assertThat(deployments.cached()).isLessThanOrEqualTo(before);
    }
}
