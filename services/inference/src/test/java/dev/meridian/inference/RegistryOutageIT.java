package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.tenant.ModelRegistry;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant models while the region's registry is away (taken away by {@link RegistryProxy}, the models service itself
 * keeps running): a model that is not cached answers 503 saying why, lookups stop reaching the registry once it has
 * failed repeatedly, and the model is served again once the registry answers.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class RegistryOutageIT {

    /** Failed attempts that open the circuit: ModelRegistry's request volume threshold, all of them failures. */
    private static final int ATTEMPTS_TO_OPEN = 10;

    @Inject
    CircuitBreakerMaintenance breakers;

    private static RegistryProxy registry() {
        return TenantModelsResource.registryProxy();
    }

    @AfterEach
    void registryAnswersAgain() {
        registry().passOn();
        breakers.reset(ModelRegistry.BREAKER);
    }

    private static void deployed(UUID tenant, String name, byte[] model) {
        int version = TenantModelsResource.registry(tenant).multiPart("file", "m.onnx", model).multiPart("name", name)
                .post("/v1/models").then().statusCode(201).extract().path("version");
        TenantModelsResource.registry(tenant).post("/v1/models/" + name + "/versions/" + version + "/deploy").then()
                .statusCode(200);
    }

    private static Response infer(UUID tenant, String model) {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "x", "datatype", "FP32", "shape", List.of(1, 1),
                        "data", List.of(1f)))))
                .post("/v2/models/" + model + "/infer");
    }

    @Test
    void whileTheRegistryHangsUncachedModelsAre503ThenFailFastAndAreServedOnceItAnswers() throws Exception {
        UUID tenant = UUID.randomUUID();
        deployed(tenant, "steady", OnnxModels.addConstant(1f)); // never called before the outage: not cached
        registry().stopAnswering();

        // Lookups of different names at once, so that they wait out their timeouts together rather than in turn
        // (calls of one name share one lookup).
        var pool = Executors.newFixedThreadPool(ATTEMPTS_TO_OPEN);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            answers.add(pool.submit(() -> infer(tenant, "steady")));
            for (int i = 1; i < ATTEMPTS_TO_OPEN; i++) {
                String name = "absent-" + i;
                answers.add(pool.submit(() -> infer(tenant, name)));
            }
            for (var answer : answers) {
                answer.get().then().statusCode(503).contentType(ContentType.JSON)
                        .body("error", equalTo("tenant models cannot be looked up just now (the model registry did"
                                + " not answer in time); retry in a few seconds"));
            }
        } finally {
            pool.shutdownNow();
        }

        await("a lookup that no longer reaches the registry").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    int before = registry().calls();
                    infer(tenant, "steady").then().statusCode(503);
                    return registry().calls() == before;
                });
        int reached = registry().calls();
        for (int i = 0; i < 5; i++) {
            infer(tenant, "steady").then().statusCode(503).contentType(ContentType.JSON).header("Retry-After", "1")
                    .body("error", containsString("the model registry failed repeatedly just now"))
                    .body("error", containsString("retry in a few seconds"));
        }
        assertThat(registry().calls()).as("lookups that reached the registry while its circuit was open")
                .isEqualTo(reached);

        registry().passOn();
        await("the model served once the registry answers again").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> infer(tenant, "steady").then()
                        .statusCode(200).body("outputs[0].data", equalTo(List.of(2f))));
    }

    @Test
    void onlyServerErrorsAreAskedAgainNeverANotDeployedModel() {
        UUID tenant = UUID.randomUUID();
        int before = registry().calls();
        infer(tenant, "nothing-here").then().statusCode(404);
        assertThat(registry().calls() - before).as("lookups of a model the registry says is not deployed")
                .isEqualTo(1);

        registry().answerWith(403);
        before = registry().calls();
        infer(tenant, "nothing-here").then().statusCode(503)
                .body("error", containsString("the model registry answered 403"));
        assertThat(registry().calls() - before).as("lookups the registry refused").isEqualTo(1);

        registry().answerWith(502);
        before = registry().calls();
        infer(tenant, "nothing-here").then().statusCode(503)
                .body("error", containsString("the model registry answered 502"));
        assertThat(registry().calls() - before).as("lookups the registry failed with a server error").isEqualTo(3);
    }
}
