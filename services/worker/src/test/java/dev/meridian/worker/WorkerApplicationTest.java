package dev.meridian.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The worker as its orchestrator sees it, with no Kafka to reach (the test profile points it at a closed port): alive,
 * not ready, and its own meters at {@code /q/metrics}.
 */
@QuarkusTest
class WorkerApplicationTest {

    @Test
    void aWorkerWhoseConsumersHoldNoPartitionsIsAliveButNotReady() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("fine-tune job loop"));
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'fine-tune consumers' }.data.'finetune-jobs consumer'",
                        containsString("partition"));
    }

    @Test
    void theWorkersOwnMetersAreServedForPrometheus() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("meridian_worker_jobs_running"))
                .body(containsString("meridian_worker_epoch_duration_seconds_bucket"));
    }
}
