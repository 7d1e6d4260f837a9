package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.worker.evaluation.EvaluationReport;
import dev.meridian.worker.export.OnnxExporter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs on the real base model (ONNX Runtime, CPU): the result files a succeeded job writes and reports, and the
 * head it exports.
 */
class FineTuneRunResultsTest {

    private static final OnnxRuntime ORT = OnnxRuntime.start("cpu", 2, "execution provider");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SPORT = {"the striker scored in the final minute", "the team won the championship",
        "the sprinter broke the world record", "the goalkeeper saved the penalty", "the cyclist climbed the mountain",
        "the boxer won on points", "the swimmer took the gold medal", "the referee showed a red card",
        "the runner crossed the finish line", "the coach praised the defence"};
    private static final String[] FOOD = {"the chef baked fresh bread", "she seasoned the soup with garlic",
        "he roasted vegetables in the oven", "whisk the eggs for the omelette", "simmer the tomato sauce for hours",
        "grill the salmon with lemon", "knead the dough and let it rise", "fry the onions slowly in butter",
        "stir the risotto and add parmesan", "serve the pancakes with syrup"};
    private static final String[] WHEN = {"", " yesterday"};

    @TempDir
    Path dir;

    private final UUID tenant = UUID.randomUUID();
    private final List<FineTuneEvent> events = new CopyOnWriteArrayList<>();

    private static String line(String text, String label, String group) {
        return "{\"text\":\"" + text + "\",\"label\":\"" + label + "\""
                + (group == null ? "" : ",\"group\":\"" + group + "\"") + "}";
    }

    /** 40 examples, 20 per label; the first of each pair in group "plain", the second in "dated". */
    private static String trainingFile() {
        List<String> lines = new ArrayList<>();
        for (String when : WHEN) {
            String group = when.isEmpty() ? "plain" : "dated";
            for (int i = 0; i < SPORT.length; i++) {
                lines.add(line(SPORT[i] + when, "sports", group));
                lines.add(line(FOOD[i] + when, "cooking", group));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private FineTuneJobMessage job(String jobId, String validationFile, int epochs) {
        return new FineTuneJobMessage(UUID.randomUUID(), jobId, tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-train", FineTuneBlobs.file(tenant, "file-train"), 0, "00",
                        40),
                validationFile == null ? null : new FineTuneJobMessage.DatasetRef("file-valid",
                        FineTuneBlobs.file(tenant, "file-valid"), 0, "00", 8),
                new FineTuneJobMessage.Hyperparameters(epochs, 8, 1.0), 7, List.of("cooking", "sports"),
                "ft:all-minilm-l6-v2:t:" + jobId, Instant.parse("2026-01-01T00:00:00Z"));
    }

    private FineTuneRun.Outcome run(FineTuneJobMessage job, FileSystemBlobStore blobs) {
        EventSink sink = new EventSink() {
            @Override
            public void send(FineTuneEvent event, boolean durable) {
                events.add(event);
            }

            @Override
            public void usage(UsageEvent event) {
            }
        };
        return new FineTuneRun(job, ORT, blobs, sink, "w1", () -> false, () -> false, () -> false,
                Timer.builder("epochs").register(new SimpleMeterRegistry())).run();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void aSucceededJobReportsItsPerEpochMetricsAndItsEvaluationOnTheHeldOutExamplesAsResultFiles()
            throws Exception {
        var blobs = new FileSystemBlobStore(dir);
        blobs.put(FineTuneBlobs.file(tenant, "file-train"), trainingFile().getBytes(StandardCharsets.UTF_8));
        var job = job("ftjob-results", null, 4);

        assertThat(run(job, blobs)).isEqualTo(FineTuneRun.Outcome.SUCCEEDED);

        var result = events.getLast().result();
        assertThat(result.resultFiles()).extracting(FineTuneEvent.ResultFile::name)
                .containsExactly("metrics.csv", "evaluation.json");
        for (var file : result.resultFiles()) {
            assertThat(file.blobKey()).isEqualTo(FineTuneBlobs.resultFile(tenant, job.jobId(), file.name()));
            byte[] content = blobs.read(file.blobKey());
            assertThat(file.bytes()).isEqualTo(content.length);
            assertThat(file.sha256()).isEqualTo(sha256(content));
        }
        assertThat(result.resultFiles()).extracting(FineTuneEvent.ResultFile::contentType)
                .containsExactly("text/csv", "application/json");

        List<String> csv = new String(blobs.read(result.resultFiles().get(0).blobKey()), StandardCharsets.UTF_8)
                .lines().toList();
        assertThat(csv.getFirst()).isEqualTo("epoch,step,train_loss,train_accuracy,valid_loss,valid_accuracy");
        assertThat(csv).hasSize(1 + result.epochs());
        // 36 training examples in batches of 8: 5 steps an epoch
        assertThat(csv.get(1)).startsWith("1,5,").matches("1,5(,\\d+\\.\\d{6}){4}");

        JsonNode report = JSON.readTree(blobs.read(result.resultFiles().get(1).blobKey()));
        assertThat(report.path("object").asText()).isEqualTo("fine_tuning.job.evaluation");
        assertThat(report.path("job_id").asText()).isEqualTo(job.jobId());
        assertThat(report.path("evaluated_on").asText()).isEqualTo(EvaluationReport.HELD_OUT);
        assertThat(report.path("labels").toString()).isEqualTo("[\"cooking\",\"sports\"]");
        var metrics = report.path("metrics");
        // 2 of each label's 20 examples are held out
        assertThat(metrics.path("examples").asInt()).isEqualTo(4);
        assertThat(metrics.path("per_class").findValuesAsText("label")).containsExactly("cooking", "sports");
        assertThat(metrics.path("per_class")).allSatisfy(c -> assertThat(c.path("support").asInt()).isEqualTo(2));
        for (String field : List.of("precision", "recall", "f1")) {
            assertThat(metrics.path("per_class").get(0).path(field).isNumber()).as(field).isTrue();
            assertThat(metrics.path("macro_avg").path(field).isNumber()).as(field).isTrue();
            assertThat(metrics.path("weighted_avg").path(field).isNumber()).as(field).isTrue();
        }
        var rows = metrics.path("confusion_matrix").path("rows");
        assertThat(rows.get(0).get(0).asInt() + rows.get(0).get(1).asInt() + rows.get(1).get(0).asInt()
                + rows.get(1).get(1).asInt()).isEqualTo(4);
        assertThat(metrics.path("accuracy").asDouble())
                .isEqualTo(result.metrics().get("valid_accuracy"), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(metrics.path("calibration").path("bins").asInt()).isEqualTo(10);
        assertThat(metrics.path("calibration").path("reliability")).hasSize(10);
        assertThat(metrics.path("calibration").path("expected_calibration_error").asDouble()).isBetween(0.0, 1.0);
        var groups = report.path("groups");
        int grouped = 0;
        for (JsonNode slice : groups.path("slices")) {
            assertThat(slice.path("group").asText()).isIn("plain", "dated");
            grouped += slice.path("metrics").path("examples").asInt();
        }
        assertThat(grouped).isEqualTo(4);
        assertThat(groups.path("accuracy_gap").path("gap").asDouble()).isEqualTo(
                groups.path("accuracy_gap").path("best_value").asDouble()
                        - groups.path("accuracy_gap").path("worst_value").asDouble());
        assertThat(groups.path("macro_f1_gap").path("best").asText()).isIn("plain", "dated");
        assertThat(report.path("epochs")).hasSize(result.epochs());
        assertThat(report.path("best_epoch").asInt()).isBetween(1, result.epochs());
    }

    @Test
    void withAValidationFileThatContradictsTrainingTheJobStopsEarlyAndExportsTheBestEpochsHead() throws Exception {
        var blobs = new FileSystemBlobStore(dir);
        blobs.put(FineTuneBlobs.file(tenant, "file-train"), trainingFile().getBytes(StandardCharsets.UTF_8));
        // held-out texts labelled the other way round: the better the head learns, the worse its validation loss
        List<String> validation = List.of(line("the quarterback threw a touchdown pass", "cooking", null),
                line("fans cheered the marathon runners", "cooking", null),
                line("she scored two goals in the derby", "cooking", null),
                line("the tennis player served an ace", "cooking", null),
                line("add a pinch of salt to the stew", "sports", null),
                line("chop the carrots and boil the potatoes", "sports", null),
                line("the baker glazed the cinnamon rolls", "sports", null),
                line("mix flour and sugar in a bowl", "sports", null));
        blobs.put(FineTuneBlobs.file(tenant, "file-valid"), (String.join("\n", validation) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        var job = job("ftjob-early-stop", "file-valid", 20);

        assertThat(run(job, blobs)).isEqualTo(FineTuneRun.Outcome.SUCCEEDED);

        var result = events.getLast().result();
        JsonNode report = JSON.readTree(blobs.read(result.resultFiles().get(1).blobKey()));
        int best = report.path("best_epoch").asInt();
        assertThat(report.path("evaluated_on").asText()).isEqualTo(EvaluationReport.VALIDATION_FILE);
        assertThat(report.path("stopped_early").asBoolean()).isTrue();
        assertThat(result.epochs()).isEqualTo(best + FineTuneRun.PATIENCE).isLessThan(20);
        assertThat(report.path("groups").isMissingNode()).as("no line has a group").isTrue();
        assertThat(report.path("metrics").path("examples").asInt()).isEqualTo(8);

        // the exported model gives the probabilities of the head saved at the best epoch's checkpoint
        int step = report.path("epochs").get(best - 1).path("step").asInt();
        var atBest = TrainingState.fromBytes(blobs.read(FineTuneBlobs.checkpoint(tenant, job.jobId(), step))).head;
        var last = TrainingState.fromBytes(blobs.read(FineTuneBlobs.checkpoint(tenant, job.jobId(),
                report.path("epochs").get(result.epochs() - 1).path("step").asInt()))).head;
        List<String> texts = List.of("the goalkeeper saved a shot", "bake the bread for an hour");
        try (var backbone = new Backbone(BaseModels.find("all-minilm-l6-v2").orElseThrow(), ORT.env(),
                ORT.sessionOptions()); var session = ORT.env().createSession(blobs.read(FineTuneBlobs.model(tenant,
                        job.jobId())), ORT.sessionOptions())) {
            var tokens = texts.stream().map(backbone::tokenize).toList();
            float[][] vectors = backbone.embed(tokens);
            try (var inputs = backbone.inputs(tokens); var out = session.run(inputs.inputs())) {
                float[][] p = (float[][]) out.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(p[i]).containsExactly(atBest.probabilities(vectors[i]),
                            org.assertj.core.data.Offset.offset(1e-4f));
                }
                assertThat(p[0][1]).as("the last epoch's head differs from the exported one")
                        .isNotCloseTo(last.probabilities(vectors[0])[1], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }
}
