package dev.meridian.models.finetune;

import static dev.meridian.models.finetune.FineTuneCalls.as;
import static dev.meridian.models.finetune.FineTuneCalls.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class JobsIT {

    private final UUID tenant = UUID.randomUUID();

    static String goodDataset(int perLabel) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < perLabel; i++) {
            lines.add("{\"text\":\"great product number " + i + "\",\"label\":\"positive\"}");
            lines.add("{\"text\":\"awful product number " + i + "\",\"label\":\"negative\"}");
        }
        return String.join("\n", lines) + "\n";
    }

    private String create(UUID t, String body) {
        return as(t).contentType(ContentType.JSON).body(body).post("/v1/fine_tuning/jobs").then().statusCode(200)
                .extract().path("id");
    }

    @Test
    void anInvalidFileFailsTheJobWithEveryBadLineAndQueuesNothing() {
        String file = upload(tenant, "bad.jsonl", String.join("\n",
                "{\"text\":\"fine\",\"label\":\"a\"}",
                "{\"label\":\"a\"}",
                "{\"text\":\"\",\"label\":\"b\"}",
                "{\"text\":\"fine\",\"label\":\"a\"}",
                "{\"text\":\"lonely\",\"label\":\"c\"}") + "\n");
        String bad = as(tenant).contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"" + file + "\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("status", equalTo("failed"))
                .body("error.code", equalTo("invalid_training_file"))
                .body("error.param", equalTo("training_file"))
                .body("error.message", containsString("line 2: missing field `text`"))
                .body("error.message", containsString("line 3: `text` is empty"))
                .body("error.message", containsString("line 4: duplicate of line 1"))
                .body("error.message", containsString("line 5: label `c` has only 1 example"))
                .body("error.message", containsString("needs at least 10"))
                .extract().path("id");
        as(tenant).get("/v1/fine_tuning/jobs/" + bad + "/events").then().statusCode(200)
                .body("data.level", hasItem("error"))
                .body("data.find { it.level == 'error' }.data.problems.line", hasItem(5));

        // a good job created afterwards reaches the queue; the failed one never does
        String good = create(tenant, "{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + upload(tenant, "good.jsonl", goodDataset(6)) + "\"}");
        var records = Topics.readUntil(FineTuneTopics.jobs("eu-central"), r -> r.key().equals(good),
                Duration.ofSeconds(30));
        assertThat(records).noneMatch(r -> r.key().equals(bad) || r.value().contains(bad));
    }

    @Test
    void aDatasetWithManyBadExamplesNamesTheFirstTwentyAndCountsTheRest() {
        // objects, so the upload takes them; each lacks its fields (before: one problem kept per line, unbounded)
        String file = upload(tenant, "empty-objects.jsonl", "{}\n".repeat(100_000));
        String id = as(tenant).contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"" + file + "\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("status", equalTo("failed")).body("error.code", equalTo("invalid_training_file"))
                .body("error.message", containsString("(100001 problems): line 1: missing field `text`"))
                .body("error.message", containsString("line 20: missing field `text`; and 99981 more"))
                .extract().path("id");
        as(tenant).get("/v1/fine_tuning/jobs/" + id + "/events").then().statusCode(200)
                .body("data.find { it.level == 'error' }.data.problems.size()", equalTo(20))
                .body("data.find { it.level == 'error' }.data.problem_count", equalTo(100001));
    }

    @Test
    void aValidJobIsQueuedThroughTheOutboxWithResolvedHyperparameters() throws Exception {
        String file = upload(tenant, "good.jsonl", goodDataset(10));
        String id = as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                        + file + "\",\"suffix\":\"reviews\",\"seed\":42,\"metadata\":{\"team\":\"ml\"},"
                        + "\"method\":{\"type\":\"supervised\",\"supervised\":{\"hyperparameters\":"
                        + "{\"n_epochs\":4,\"batch_size\":\"auto\"}}}}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("object", equalTo("fine_tuning.job")).body("status", equalTo("queued"))
                .body("hyperparameters.n_epochs", equalTo(4)).body("hyperparameters.batch_size", equalTo(8))
                .body("seed", equalTo(42)).body("user_provided_suffix", equalTo("reviews"))
                .body("metadata.team", equalTo("ml")).body("error", nullValue()).body("fine_tuned_model", nullValue())
                .extract().path("id");
        var records = Topics.readUntil(FineTuneTopics.jobs("eu-central"), r -> r.key().equals(id),
                Duration.ofSeconds(30));
        var message = new com.fasterxml.jackson.databind.ObjectMapper().readTree(records.getLast().value());
        assertThat(message.path("hyperparameters").path("n_epochs").asInt()).isEqualTo(4);
        assertThat(message.path("hyperparameters").path("batch_size").asInt()).isEqualTo(8);
        assertThat(message.path("labels").toString()).isEqualTo("[\"negative\",\"positive\"]");
        assertThat(message.path("fine_tuned_model").asText()).isEqualTo("ft:all-minilm-l6-v2:reviews:" + id);
        assertThat(message.path("seed").asLong()).isEqualTo(42);
        assertThat(message.path("training_file").path("examples").asInt()).isEqualTo(20);
        as(tenant).get("/v1/fine_tuning/jobs?limit=1").then().statusCode(200).body("data[0].id", equalTo(id))
                .body("has_more", equalTo(false));
    }

    @Test
    void aQueuedJobCanBeCancelledOnceAndTheWorkersAreTold() {
        String id = create(tenant, "{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + upload(tenant, "good.jsonl", goodDataset(6)) + "\"}");
        as(tenant).post("/v1/fine_tuning/jobs/" + id + "/cancel").then().statusCode(200)
                .body("status", equalTo("cancelled")).body("finished_at", notNullValue());
        as(tenant).post("/v1/fine_tuning/jobs/" + id + "/cancel").then().statusCode(400)
                .body("error.code", equalTo("job_not_cancellable"));
        Topics.readUntil(FineTuneTopics.control("eu-central"), r -> r.key().equals(id) && r.value().contains("cancel"),
                Duration.ofSeconds(30));
    }

    @Test
    void anotherTenantCannotSeeOrTouchTheJob() {
        String id = create(tenant, "{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + upload(tenant, "good.jsonl", goodDataset(6)) + "\"}");
        UUID other = UUID.randomUUID();
        as(other).get("/v1/fine_tuning/jobs/" + id).then().statusCode(404)
                .body("error.code", equalTo("fine_tuning_job_not_found"));
        as(other).get("/v1/fine_tuning/jobs/" + id + "/events").then().statusCode(404);
        as(other).get("/v1/fine_tuning/jobs/" + id + "/checkpoints").then().statusCode(404);
        as(other).post("/v1/fine_tuning/jobs/" + id + "/cancel").then().statusCode(404);
        as(tenant).get("/v1/fine_tuning/jobs/" + id).then().statusCode(200).body("status", equalTo("queued"));
        // nor can it train on the tenant's file
        String file = as(tenant).get("/v1/fine_tuning/jobs/" + id).then().extract().path("training_file");
        as(other).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"" + file
                + "\"}").post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.param", equalTo("training_file"));
    }

    @Test
    void aJobAskingForRedactionShowsItsModeAndTellsTheWorkerWhileOthersSayNothingOfPii() throws Exception {
        String file = upload(tenant, "good.jsonl", goodDataset(6));
        String redacting = as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\","
                        + "\"training_file\":\"" + file + "\",\"pii\":\"redact\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("status", equalTo("queued")).body("pii.mode", equalTo("redact"))
                .extract().path("id");
        String plain = as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\","
                        + "\"training_file\":\"" + file + "\",\"pii\":\"none\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("status", equalTo("queued")).body("$", not(hasKey("pii")))
                .extract().path("id");
        as(tenant).get("/v1/fine_tuning/jobs/" + redacting).then().statusCode(200).body("pii.mode", equalTo("redact"));
        as(tenant).get("/v1/fine_tuning/jobs/" + plain).then().statusCode(200).body("$", not(hasKey("pii")));

        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(json.readTree(queued(redacting)).path("pii").asText()).isEqualTo("redact");
        var plainMessage = json.readTree(queued(plain));
        assertThat(plainMessage.has("pii")).isFalse();
    }

    /** The job message queued for {@code jobId}. */
    private static String queued(String jobId) {
        return Topics.readUntil(FineTuneTopics.jobs("eu-central"), r -> r.key().equals(jobId), Duration.ofSeconds(30))
                .stream().filter(r -> r.key().equals(jobId)).findFirst().orElseThrow().value();
    }

    @Test
    void anUnknownPiiModeIsRefusedNamingTheModesAndCreatesNoJob() {
        UUID fresh = UUID.randomUUID();
        String file = upload(fresh, "good.jsonl", goodDataset(6));
        as(fresh).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                        + file + "\",\"pii\":\"mask\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.code", equalTo("invalid_value")).body("error.param", equalTo("pii"))
                .body("error.message", containsString("\"redact\"")).body("error.message", containsString("\"none\""));
        as(fresh).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                        + file + "\",\"pii\":true}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.code", equalTo("invalid_type")).body("error.param", equalTo("pii"));
        as(fresh).get("/v1/fine_tuning/jobs").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void aRedactingJobWhoseLabelsHoldPersonalDataIsRefusedWithoutRepeatingThem() {
        UUID fresh = UUID.randomUUID();
        String file = upload(fresh, "labels.jsonl", goodDataset(6).replace("\"positive\"", "\"ops@example.com\""));
        as(fresh).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                        + file + "\",\"pii\":\"redact\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.param", equalTo("pii"))
                .body("error.message", containsString("`[EMAIL]`"))
                .body("error.message", not(containsString("ops@example.com")));
        as(fresh).get("/v1/fine_tuning/jobs").then().statusCode(200).body("data.size()", equalTo(0));

        // a file that fails validation: the problems quoting a label name it redacted, in the job and its events
        String lonely = upload(fresh, "lonely.jsonl", goodDataset(6)
                + "{\"text\":\"call me\",\"label\":\"lonely@example.com\"}\n");
        String failed = as(fresh).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\","
                        + "\"training_file\":\"" + lonely + "\",\"pii\":\"redact\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(200).body("status", equalTo("failed"))
                .body("error.message", containsString("label `[EMAIL]` has only 1 example"))
                .body("error.message", not(containsString("lonely@example.com")))
                .extract().path("id");
        as(fresh).get("/v1/fine_tuning/jobs/" + failed + "/events").then().statusCode(200)
                .body(not(containsString("lonely@example.com")));
    }

    @Test
    void badRequestsSayWhatToFix() {
        String file = upload(tenant, "good.jsonl", goodDataset(6));
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"gpt-4o\",\"training_file\":\"" + file + "\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400).body("error.param", equalTo("model"))
                .body("error.message", containsString("all-minilm-l6-v2"));
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"" + file
                        + "\",\"method\":{\"type\":\"supervised\",\"supervised\":{\"hyperparameters\":"
                        + "{\"n_epochs\":0}}}}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400)
                .body("error.param", equalTo("method.supervised.hyperparameters.n_epochs"))
                .body("error.message", containsString("from 1 to 50"));
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_fil\":\"x\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400).body("error.code", equalTo("unknown_parameter"))
                .body("error.param", equalTo("training_fil"));
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"file-nope\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400).body("error.code", equalTo("invalid_file"));
        as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\"" + file
                        + "\",\"suffix\":\"a:b\"}")
                .post("/v1/fine_tuning/jobs").then().statusCode(400).body("error.param", equalTo("suffix"));
        as(tenant).get("/v1/fine_tuning/jobs?limit=1000").then().statusCode(400).body("error.param", equalTo("limit"));
    }
}
