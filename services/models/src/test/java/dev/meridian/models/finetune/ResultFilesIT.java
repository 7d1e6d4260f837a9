package dev.meridian.models.finetune;

import static dev.meridian.models.finetune.FineTuneCalls.as;
import static dev.meridian.models.finetune.FineTuneCalls.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import dev.meridian.worker.Worker;
import dev.meridian.worker.metrics.WorkerMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A succeeded job's result files through the API, from a real worker on the real Kafka: listed in the job's
 * {@code result_files}, served to its tenant by {@code GET /v1/files/{id}/content}, to no other tenant, and registered
 * once however often the worker's success is delivered.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class ResultFilesIT {

    private final UUID tenant = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();
    private final ObjectMapper json = new ObjectMapper();
    private Worker worker;

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    private void startWorker(String id) {
        var config = ChildWorker.config(new SmallRyeConfigBuilder().withDefaultValues(
                FineTuneJobIT.workerSettings(id)));
        var meters = new WorkerMeters(new SimpleMeterRegistry());
        worker = new Worker(config, Worker.events(config, meters), meters, OpenTelemetry.noop().getTracer("it"));
    }

    /** The topics dataset, every third line from the "email" channel and the others from the "web" form. */
    private static String groupedDataset() {
        List<String> lines = new ArrayList<>();
        var all = FineTuneJobIT.dataset(1).lines().toList();
        for (int i = 0; i < all.size(); i++) {
            String line = all.get(i);
            lines.add(line.substring(0, line.length() - 1) + ",\"group\":\"" + (i % 3 == 0 ? "email" : "web")
                    + "\"}");
        }
        return String.join("\n", lines) + "\n";
    }

    private JsonPath awaitFinished(String id) {
        return await("job " + id + " finished").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(300))
                .until(() -> as(tenant).get("/v1/fine_tuning/jobs/" + id).then().statusCode(200).extract()
                        .jsonPath(), job -> List.of("succeeded", "failed", "cancelled")
                        .contains(job.getString("status")));
    }

    private List<String> messages(String id) {
        return as(tenant).get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").then().statusCode(200).extract()
                .jsonPath().getList("data.message");
    }

    @Test
    void aSucceededJobsResultFilesAreListedAndServedToItsTenantOnly() throws Exception {
        startWorker("it-results-worker");
        String training = upload(tenant, "topics.jsonl", groupedDataset());
        String id = as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + training + "\",\"suffix\":\"eval\",\"seed\":11,\"method\":{\"type\":\"supervised\",\"supervised\":"
                + "{\"hyperparameters\":{\"n_epochs\":3,\"batch_size\":16}}}}").post("/v1/fine_tuning/jobs").then()
                .statusCode(200).extract().path("id");

        JsonPath job = awaitFinished(id);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        List<String> resultFiles = job.getList("result_files");
        assertThat(resultFiles).hasSize(2);
        String csvId = resultFiles.get(0);
        String reportId = resultFiles.get(1);

        // files of the tenant, of their own purpose, listed with the others
        as(tenant).get("/v1/files/" + csvId).then().statusCode(200).body("object", equalTo("file"))
                .body("purpose", equalTo("fine-tune-results")).body("filename", equalTo(id + "-metrics.csv"))
                .body("status", equalTo("processed"));
        as(tenant).get("/v1/files/" + reportId).then().statusCode(200).body("filename", equalTo(id
                + "-evaluation.json"));
        as(tenant).get("/v1/files?purpose=fine-tune-results").then().statusCode(200)
                .body("data.id", hasItem(csvId)).body("data.id", hasItem(reportId))
                .body("data.id", not(hasItem(training)));

        // the per-epoch metrics
        String csv = as(tenant).get("/v1/files/" + csvId + "/content").then().statusCode(200).extract().asString();
        List<String> rows = csv.lines().toList();
        assertThat(rows.getFirst()).isEqualTo("epoch,step,train_loss,train_accuracy,valid_loss,valid_accuracy");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(3)).startsWith("3,");
        assertThat(as(tenant).get("/v1/files/" + csvId).then().extract().jsonPath().getInt("bytes"))
                .isEqualTo(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);

        // the evaluation of the exported model on the examples held out of the training file
        JsonNode report = json.readTree(as(tenant).get("/v1/files/" + reportId + "/content").then().statusCode(200)
                .extract().asByteArray());
        assertThat(report.path("job_id").asText()).isEqualTo(id);
        assertThat(report.path("evaluated_on").asText()).isEqualTo("held_out_split");
        JsonNode metrics = report.path("metrics");
        // 60 examples of each label, 6 of each held out
        assertThat(metrics.path("examples").asInt()).isEqualTo(12);
        assertThat(metrics.path("per_class").findValuesAsText("label")).containsExactly("cooking", "sports");
        for (JsonNode c : metrics.path("per_class")) {
            assertThat(c.path("support").asInt()).isEqualTo(6);
            assertThat(c.path("precision").asDouble()).isBetween(0.0, 1.0);
            assertThat(c.path("recall").asDouble()).isBetween(0.0, 1.0);
            assertThat(c.path("f1").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(metrics.path("accuracy").asDouble()).isGreaterThanOrEqualTo(0.75);
        assertThat(metrics.path("confusion_matrix").path("rows")).hasSize(2);
        assertThat(metrics.path("calibration").path("bins").asInt()).isEqualTo(10);
        assertThat(report.path("groups").path("slices").findValuesAsText("group")).containsExactly("email", "web");
        assertThat(report.path("groups").path("accuracy_gap").path("best").asText()).isIn("email", "web");
        assertThat(messages(id)).anyMatch(m -> m.startsWith("Result files: " + csvId + ", " + reportId));

        // another tenant: 404 for the files and their content, and nothing in its list
        for (String file : resultFiles) {
            as(other).get("/v1/files/" + file).then().statusCode(404).body("error.code", equalTo("file_not_found"));
            as(other).get("/v1/files/" + file + "/content").then().statusCode(404);
        }
        as(other).get("/v1/files?purpose=fine-tune-results").then().statusCode(200)
                .body("data.id", not(hasItem(csvId)));

        // a result file is no dataset
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + reportId + "\"}").post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.code", equalTo("invalid_file")).body("error.param", equalTo("training_file"))
                .body("error.message", containsString("result file"));
        // nor can one be uploaded
        as(tenant).multiPart("purpose", "fine-tune-results").multiPart("file", "x.jsonl",
                "{\"text\":\"a\",\"label\":\"b\"}\n".getBytes(), "application/jsonl").post("/v1/files").then()
                .statusCode(400).body("error.code", equalTo("invalid_purpose"));

        // the worker's success delivered again (a redelivery after a crash): the job keeps its two result files
        worker.close();
        worker = null;
        String succeeded = Topics.readUntil(FineTuneTopics.events("eu-central"), r -> r.key().equals(id)
                && r.value().contains("\"type\":\"" + FineTuneEvent.SUCCEEDED + "\""), Duration.ofSeconds(30))
                .getLast().value();
        ObjectNode marker = (ObjectNode) json.readTree(succeeded);
        marker.put("id", UUID.randomUUID().toString()).put("type", FineTuneEvent.MESSAGE)
                .put("message", "marker after the redelivery").remove("result");
        send(id, succeeded);
        send(id, json.writeValueAsString(marker));
        await("the marker after the redelivered success is applied").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> messages(id).stream().anyMatch(m -> m.startsWith("marker after the redelivery")));
        assertThat(as(tenant).get("/v1/fine_tuning/jobs/" + id).then().extract().jsonPath()
                .getList("result_files")).containsExactlyElementsOf(resultFiles);
        as(tenant).get("/v1/files?purpose=fine-tune-results").then().statusCode(200)
                .body("data.findAll { it.filename.startsWith('" + id + "') }.size()", equalTo(2));
        assertThat(FineTuneJobIT.blobDir().resolve(FineTuneBlobs.resultFile(tenant, id, "evaluation.json")))
                .as("the redelivery keeps the registered files' content").exists();
        as(tenant).get("/v1/files/" + reportId + "/content").then().statusCode(200);
    }

    private void send(String key, String value) throws Exception {
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("worker", Map.of("acks", "all")),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(FineTuneTopics.events("eu-central"), key, value))
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
