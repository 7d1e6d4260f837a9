package dev.meridian.models.finetune;

import static dev.meridian.models.finetune.FineTuneCalls.as;
import static dev.meridian.models.finetune.FineTuneCalls.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import dev.meridian.worker.Worker;
import dev.meridian.worker.export.OnnxExporter;
import dev.meridian.worker.metrics.WorkerMeters;
import dev.meridian.worker.training.Backbone;
import dev.meridian.worker.training.BaseModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole jobs: the models service here, real workers on the real Kafka, the tuned model run in ONNX Runtime. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class FineTuneJobIT {

    private static final String[] SPORT_WHO = {"the striker", "our goalkeeper", "the coach", "the tennis player",
        "the sprinter", "the team captain", "the referee", "the cyclist", "the boxer", "the swimmer"};
    private static final String[] SPORT_DID = {"scored in the final minute of the match",
        "won the championship game", "trained hard before the race", "celebrated the victory on the pitch",
        "missed the penalty kick", "broke the world record at the stadium"};
    private static final String[] FOOD_WHO = {"the chef", "my grandmother", "the baker", "our cook",
        "the pastry chef", "the waiter", "the sous-chef", "the food critic", "my uncle", "the caterer"};
    private static final String[] FOOD_DID = {"baked fresh bread this morning", "seasoned the soup with garlic",
        "roasted vegetables in the oven", "whisked eggs for the omelette", "simmered tomato sauce for hours",
        "grilled salmon with lemon and herbs"};
    private static final String[] WHEN = {"", " yesterday", " on sunday", " last week", " again", " at night",
        " in the rain", " before lunch"};
    /** The statuses a job ends in. */
    private static final List<String> FINISHED = List.of("succeeded", "failed", "cancelled");

    private final UUID tenant = UUID.randomUUID();
    private final List<AutoCloseable> workers = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws Exception {
        for (var w : workers) {
            w.close();
        }
        children.forEach(Process::destroyForcibly);
    }

    static String dataset(int whens) {
        var lines = new ArrayList<String>();
        for (int w = 0; w < whens; w++) {
            for (String who : SPORT_WHO) {
                for (String did : SPORT_DID) {
                    lines.add("{\"text\":\"" + who + " " + did + WHEN[w] + "\",\"label\":\"sports\"}");
                }
            }
            for (String who : FOOD_WHO) {
                for (String did : FOOD_DID) {
                    lines.add("{\"text\":\"" + who + " " + did + WHEN[w] + "\",\"label\":\"cooking\"}");
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static void awaitGone(Path file, Duration limit) {
        await(file + " deleted").atMost(limit).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(file).as("deleted within %s", limit).doesNotExist());
    }

    /** The region's one blob store (the registry's settings), which the workers share. */
    static Path blobDir() {
        return Path.of(ConfigProvider.getConfig().getValue("meridian.models.blobs.directory", String.class));
    }

    /** The settings a worker of this stack gets, as ./platform passes them ({@code meridian.worker.*}). */
    static Map<String, String> workerSettings(String id) {
        return Map.of("meridian.worker.region", "eu-central", "meridian.worker.kafka-bootstrap", bootstrap(),
                "meridian.worker.kafka-password", TestStack.get().secrets().kafkaPassword("worker"),
                "meridian.worker.blobs.directory", blobDir().toAbsolutePath().toString(), "meridian.worker.id", id,
                "meridian.worker.execution-provider", "cpu", "meridian.worker.intra-op-threads", "2",
                "meridian.worker.session-timeout", "6s");
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private void startWorker(String id) {
        var config = ChildWorker.config(new SmallRyeConfigBuilder().withDefaultValues(workerSettings(id)));
        var meters = new WorkerMeters(new SimpleMeterRegistry());
        workers.add(new Worker(config, Worker.events(config, meters), meters, OpenTelemetry.noop().getTracer("it")));
    }

    /** A worker in its own JVM, so that it can be killed with SIGKILL. */
    private Process startChildWorker(String id) throws Exception {
        return startChildWorker(id, Duration.ZERO);
    }

    /** ... pausing {@code checkpointPause} after each epoch's checkpoint (see {@link ChildWorker}). */
    private Process startChildWorker(String id, Duration checkpointPause) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var log = new File("target/worker-" + id + ".log");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        workerSettings(id).forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-D" + ChildWorker.CHECKPOINT_PAUSE + "=" + checkpointPause.toMillis());
        command.add(ChildWorker.class.getName());
        var p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        children.add(p);
        return p;
    }

    private String create(String file, String extra) {
        return as(tenant).contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"training_file\":\""
                + file + "\",\"suffix\":\"topics\",\"seed\":7" + extra + "}").post("/v1/fine_tuning/jobs").then()
                .statusCode(200).body("status", equalTo("queued")).extract().path("id");
    }

    /** The job once its status is one of {@code statuses}; a failed GET fails at once rather than being retried. */
    private JsonPath awaitJob(String id, List<String> statuses, Duration timeout) {
        var last = new AtomicReference<JsonPath>();
        try {
            return await("job " + id + " " + String.join(" or ", statuses)).atMost(timeout)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        last.set(as(tenant).get("/v1/fine_tuning/jobs/" + id).then().statusCode(200).extract()
                                .jsonPath());
                        return last.get();
                    }, job -> statuses.contains(job.getString("status")));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("job " + id + " did not get there within " + timeout + ": "
                    + (last.get() == null ? "never read" : last.get().prettify()), e);
        }
    }

    private List<String> messages(String id) {
        return as(tenant).get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").then().statusCode(200).extract()
                .jsonPath().getList("data.message");
    }

    @Test
    void aJobOnSeparableDataSucceedsAndTheTunedModelClassifiesHeldOutTexts() throws Exception {
        startWorker("it-worker-1");
        String id = create(upload(tenant, "topics.jsonl", dataset(2)), ",\"method\":{\"type\":\"supervised\","
                + "\"supervised\":{\"hyperparameters\":{\"n_epochs\":12,\"batch_size\":16}}}");
        JsonPath job = awaitJob(id, FINISHED, Duration.ofMinutes(4));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getString("fine_tuned_model")).isEqualTo("ft:all-minilm-l6-v2:topics:" + id);
        assertThat(job.getLong("trained_tokens")).isPositive();

        // exactly one version of the tenant's model ft:..., deployed, in the model registry
        String name = "ft:all-minilm-l6-v2:topics:" + id;
        assertThat(messages(id)).contains("Registered as version 1 of model " + name + " and deployed");
        as(tenant).header(dev.meridian.common.tenant.MeridianHeaders.HOME_REGION, "eu-central")
                .get("/v1/models/{model}/versions", name).then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0].deployed", equalTo(true))
                .body("data[0].outputs[0].name", equalTo("probabilities"));

        // per-epoch metrics and listed checkpoints
        var events = as(tenant).get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").then().statusCode(200)
                .body("data.type", hasItem("metrics")).extract().jsonPath();
        Map<String, Object> metrics = events.getMap("data.find { it.type == 'metrics' }.data");
        assertThat(metrics).containsKeys("train_loss", "valid_loss", "valid_accuracy", "step", "epoch");
        as(tenant).get("/v1/fine_tuning/jobs/" + id + "/checkpoints").then().statusCode(200)
                .body("data[0].object", equalTo("fine_tuning.job.checkpoint"))
                .body("data[0].fine_tuning_job_id", equalTo(id));
        // every event applied is measured from the worker's timestamp: the lag of the job's view behind its worker
        String exposition = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(exposition.lines().filter(l -> l.startsWith("meridian_finetune_events_lag_seconds_count"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .as("events whose lag was measured").isGreaterThanOrEqualTo(12);
        // and the region's jobs by status count it among the succeeded (counted every second under test)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(RestAssured.given().get("/q/metrics")
                .then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("meridian_finetune_jobs{") && l.contains("status=\"succeeded\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .as("succeeded jobs counted").isGreaterThanOrEqualTo(1));

        // the tuned model is stored once, as the registry's version: the worker's export and the embedding chunks it
        // saved to resume after a crash are gone; the epoch checkpoints stay, as the API lists them
        Path export = blobDir().resolve(FineTuneBlobs.model(tenant, id));
        Path jobFolder = blobDir().resolve(FineTuneBlobs.checkpoints(tenant, id));
        awaitGone(export, Duration.ofSeconds(10));
        try (var files = Files.list(jobFolder)) {
            List<String> left = files.map(f -> f.getFileName().toString()).toList();
            assertThat(left).noneMatch(n -> n.startsWith("embeddings-")).anyMatch(n -> n.startsWith("step-"));
        }
        String registered = io.restassured.RestAssured.given()
                .header("Authorization", "Bearer " + TestStack.get().serviceToken("meridian-inference"))
                .get("/internal/v1/tenants/{t}/models/{m}/deployed", tenant, name).then().statusCode(200)
                .extract().path("versions[0].blob_key");

        // the registry's copy, which inference serves, classifies texts it never saw
        Path model = blobDir().resolve(registered);
        Map<String, String> heldOut = Map.of(
                "the goalkeeper saved a brilliant shot in extra time", "sports",
                "fans cheered as the runner crossed the finish line first", "sports",
                "the quarterback threw a long pass for the touchdown", "sports",
                "she dribbled past two defenders and scored a goal", "sports",
                "the marathon runners sprinted through the last mile", "sports",
                "she stirred the risotto and added grated parmesan", "cooking",
                "he chopped onions and fried them slowly in butter", "cooking",
                "knead the dough and let it rise before baking", "cooking",
                "the pancakes were flipped and served with maple syrup", "cooking",
                "add a pinch of salt and pepper to the stew", "cooking");
        var ort = dev.meridian.common.onnx.OnnxRuntime.start("cpu", 2, "execution provider");
        try (var backbone = new Backbone(BaseModels.find("all-minilm-l6-v2").orElseThrow(), ort.env(),
                ort.sessionOptions()); var session = ort.env().createSession(Files.readAllBytes(model),
                ort.sessionOptions())) {
            String labelsJson = session.getMetadata().getCustomMetadata().get(OnnxExporter.LABELS_KEY);
            List<String> labels = List.of(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(labelsJson, String[].class));
            assertThat(labels).containsExactly("cooking", "sports");
            var texts = List.copyOf(heldOut.keySet());
            try (var inputs = backbone.inputs(texts.stream().map(backbone::tokenize).toList());
                    var result = session.run(inputs.inputs())) {
                float[][] p = (float[][]) result.get(0).getValue();
                int right = 0;
                for (int i = 0; i < texts.size(); i++) {
                    int best = p[i][0] >= p[i][1] ? 0 : 1;
                    if (labels.get(best).equals(heldOut.get(texts.get(i)))) {
                        right++;
                    }
                }
                // the threshold: at least 9 of the 10 held-out texts
                assertThat(right / (double) texts.size()).isGreaterThanOrEqualTo(0.9);
            }
        }

        // usage for billing: examples x epochs and worker seconds, keyed by tenant
        var usage = Topics.readUntil(UsageEvent.TOPIC, r -> r.key().equals(tenant.toString())
                && r.value().contains("accelerator_seconds"), Duration.ofSeconds(30));
        assertThat(usage).anyMatch(r -> r.key().equals(tenant.toString())
                && r.value().contains("\"training_example_epochs\""));

        // another tenant sees nothing of it
        UUID other = UUID.randomUUID();
        FineTuneCalls.as(other).get("/v1/fine_tuning/jobs/" + id).then().statusCode(404);
        FineTuneCalls.as(other).get("/v1/fine_tuning/jobs/" + id + "/events").then().statusCode(404);
        FineTuneCalls.as(other).get("/v1/fine_tuning/jobs/" + id + "/checkpoints").then().statusCode(404);
    }

    @Test
    void cancellingARunningJobStopsTheWorkerWithinSeconds() throws Exception {
        startWorker("it-worker-2");
        String id = create(upload(tenant, "big.jsonl", dataset(8)), "");
        awaitJob(id, List.of("running"), Duration.ofMinutes(3));
        as(tenant).post("/v1/fine_tuning/jobs/" + id + "/cancel").then().statusCode(200)
                .body("status", equalTo("cancelled"));
        await("the worker hears the cancel").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> messages(id), all -> all.stream()
                        .anyMatch(m -> m.contains("stopped the job: it was cancelled")));
        JsonPath job = as(tenant).get("/v1/fine_tuning/jobs/" + id).then().extract().jsonPath();
        assertThat(job.getString("status")).isEqualTo("cancelled");
        assertThat(job.getString("fine_tuned_model")).isNull();
        assertThat(Files.exists(blobDir().resolve(FineTuneBlobs.model(tenant, id)))).isFalse();
        // what it had embedded of the tenant's data was deleted before it said so
        assertThat(blobDir().resolve(FineTuneBlobs.checkpoints(tenant, id) + "/embeddings-0.bin")).doesNotExist();
    }

    @Test
    void aWorkerKilledMidJobIsReplacedAndTheJobResumesFromItsCheckpoint() throws Exception {
        Process doomed = startChildWorker("it-doomed");
        String id = create(upload(tenant, "big.jsonl", dataset(8)), "");
        Path firstChunk = blobDir().resolve(FineTuneBlobs.checkpoints(tenant, id) + "/embeddings-0.bin");
        await("the child worker saves its first chunk").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(50))
                .failFast(() -> assertThat(doomed.isAlive())
                        .as("the child worker runs (see target/worker-it-doomed.log)").isTrue())
                .until(() -> Files.exists(firstChunk));
        doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no offset commit, no goodbye to the group
        doomed.waitFor();
        assertThat(as(tenant).get("/v1/fine_tuning/jobs/" + id).then().extract().jsonPath().getString("status"))
                .isEqualTo("running");

        startWorker("it-successor");
        JsonPath job = awaitJob(id, FINISHED, Duration.ofMinutes(4));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        List<String> messages = messages(id);
        assertThat(messages).anyMatch(m -> m.startsWith("Resumed: ") && m.contains("already embedded"));
        assertThat(messages).filteredOn(m -> m.startsWith("The job has successfully completed")).hasSize(1);
        assertThat(job.getString("fine_tuned_model")).isEqualTo("ft:all-minilm-l6-v2:topics:" + id);
        as(tenant).header(dev.meridian.common.tenant.MeridianHeaders.HOME_REGION, "eu-central")
                .get("/v1/models/{model}/versions", "ft:all-minilm-l6-v2:topics:" + id).then().statusCode(200)
                .body("data.size()", equalTo(1));
    }

    @Test
    void aWorkerKilledAfterAnEpochCheckpointIsReplacedAndTheJobResumesFromThatEpoch() throws Exception {
        // A head epoch takes milliseconds; the doomed worker (a ChildWorker publishing through PausingEvents) pauses
        // 3 s after each checkpoint so the kill lands between two epochs; the successor does not pause.
        Process doomed = startChildWorker("it-doomed-epochs", Duration.ofSeconds(3));
        int epochs = 6;
        String id = create(upload(tenant, "topics.jsonl", dataset(2)), ",\"method\":{\"type\":\"supervised\","
                + "\"supervised\":{\"hyperparameters\":{\"n_epochs\":" + epochs + ",\"batch_size\":16}}}");
        await("the child worker stores its first epoch checkpoint").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertThat(doomed.isAlive())
                        .as("the child worker runs (see target/worker-it-doomed-epochs.log)").isTrue())
                .until(() -> as(tenant).get("/v1/fine_tuning/jobs/" + id + "/checkpoints").then().statusCode(200)
                        .extract().jsonPath().getList("data"), checkpoints -> !checkpoints.isEmpty());
        doomed.destroyForcibly(); // SIGKILL between two epochs: no shutdown hook, no offset commit
        doomed.waitFor();
        assertThat(as(tenant).get("/v1/fine_tuning/jobs/" + id).then().extract().jsonPath().getString("status"))
                .isEqualTo("running");

        startWorker("it-successor-epochs");
        JsonPath job = awaitJob(id, FINISHED, Duration.ofMinutes(3));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");

        // the successor says where it resumed: after an epoch the killed worker finished, not from the start
        String resumed = messages(id).stream().filter(m -> m.startsWith("Resumed from the checkpoint at step "))
                .findFirst().orElseThrow(() -> new AssertionError("no resume message in " + messages(id)));
        int resumedEpoch = Integer.parseInt(resumed.replaceAll(".*\\(epoch (\\d+)\\).*", "$1"));
        assertThat(resumedEpoch).isBetween(1, epochs - 1);

        // what each worker actually reported, read from <region>.finetune.events as an outside observer (the models
        // service applies repeated event ids once, so its event list alone could not show an epoch run twice)
        var json = new ObjectMapper();
        List<JsonNode> reported = new ArrayList<>();
        for (var r : Topics.readUntil(FineTuneTopics.events("eu-central"), r -> r.key().equals(id)
                && r.value().contains("\"type\":\"" + FineTuneEvent.SUCCEEDED + "\""), Duration.ofSeconds(30))) {
            if (r.key().equals(id)) {
                reported.add(json.readTree(r.value()));
            }
        }
        List<Integer> doomedEpochs = epochsOf(reported, "it-doomed-epochs");
        List<Integer> successorEpochs = epochsOf(reported, "it-successor-epochs");
        List<Integer> allEpochs = java.util.stream.IntStream.rangeClosed(1, epochs).boxed().toList();
        System.out.printf("[fine-tuning] killed worker ran epochs %s, successor resumed at epoch %d and ran %s%n",
                doomedEpochs, resumedEpoch, successorEpochs);
        assertThat(doomedEpochs).as("epochs of the killed worker").isEqualTo(allEpochs.subList(0, resumedEpoch));
        assertThat(successorEpochs).as("epochs of the successor: only those after the checkpoint")
                .isEqualTo(allEpochs.subList(resumedEpoch, epochs));
        assertThat(reported).filteredOn(e -> e.path("worker").asText().equals("it-successor-epochs")
                && e.path("type").asText().equals(FineTuneEvent.MESSAGE)
                && e.path("message").asText().startsWith("Embedded ")).as("the successor embeds nothing again")
                .isEmpty();

        // the job's own record: one metrics event and one checkpoint per epoch, one success, one model version
        var events = as(tenant).get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").then().statusCode(200)
                .extract().jsonPath();
        assertThat(events.getList("data.findAll { it.type == 'metrics' }.data.epoch", Integer.class))
                .containsExactlyInAnyOrderElementsOf(allEpochs);
        as(tenant).get("/v1/fine_tuning/jobs/" + id + "/checkpoints?limit=100").then().statusCode(200)
                .body("data.size()", equalTo(epochs));
        assertThat(messages(id)).filteredOn(m -> m.startsWith("The job has successfully completed")).hasSize(1);
        as(tenant).header(dev.meridian.common.tenant.MeridianHeaders.HOME_REGION, "eu-central")
                .get("/v1/models/{model}/versions", "ft:all-minilm-l6-v2:topics:" + id).then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0].deployed", equalTo(true));
    }

    /** The epochs {@code worker} reported metrics for, in the order it reported them. */
    private static List<Integer> epochsOf(List<JsonNode> events, String worker) {
        return events.stream().filter(e -> e.path("worker").asText().equals(worker)
                && e.path("type").asText().equals(FineTuneEvent.METRICS)).map(e -> e.path("epoch").asInt()).toList();
    }
}
