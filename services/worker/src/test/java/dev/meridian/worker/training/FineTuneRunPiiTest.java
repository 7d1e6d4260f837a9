package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.common.pii.PiiRedactor;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with {@code pii=redact} on a dataset full of e-mail addresses, phone numbers and card numbers, run on the
 * real base model: the tokenizer and the base model get the placeholders, and nothing the run writes (blobs, events,
 * logs) holds an original value.
 */
class FineTuneRunPiiTest {

    private static final OnnxRuntime ORT = OnnxRuntime.start("cpu", 2, "execution provider");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final String[] SPORT = {"the striker scored in the final minute", "the team won the championship",
        "the sprinter broke the world record", "the goalkeeper saved the penalty", "the cyclist climbed the mountain",
        "the boxer won on points", "the swimmer took the gold medal", "the referee showed a red card",
        "the runner crossed the finish line", "the coach praised the defence"};
    private static final String[] FOOD = {"the chef baked fresh bread", "she seasoned the soup with garlic",
        "he roasted vegetables in the oven", "whisk the eggs for the omelette", "simmer the tomato sauce for hours",
        "grill the salmon with lemon", "knead the dough and let it rise", "fry the onions slowly in butter",
        "stir the risotto and add parmesan", "serve the pancakes with syrup"};

    @TempDir
    Path dir;

    private final UUID tenant = UUID.randomUUID();
    private final List<FineTuneEvent> events = new CopyOnWriteArrayList<>();
    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger runLog = Logger.getLogger(FineTuneRun.class.getName());

    @BeforeEach
    void captureLogs() {
        runLog.addHandler(logCapture);
    }

    @AfterEach
    void releaseLogs() {
        runLog.removeHandler(logCapture);
    }

    /** A card number of 16 digits that passes the Luhn check, grouped in fours. */
    static String card(int i) {
        String body = "4556" + String.format("%011d", 73_019_004_217L + i * 7919L);
        for (int d = 0; d <= 9; d++) {
            int sum = 0;
            String digits = body + d;
            for (int k = 0; k < digits.length(); k++) {
                int v = digits.charAt(digits.length() - 1 - k) - '0';
                sum += k % 2 == 1 ? (v * 2 > 9 ? v * 2 - 9 : v * 2) : v;
            }
            if (sum % 10 == 0) {
                return digits.replaceAll("(\\d{4})(?=\\d)", "$1 ");
            }
        }
        throw new IllegalStateException();
    }

    /** Each example's own e-mail address, phone numbers (international and mainland-China mobile) and card. */
    static List<String> personalData(int i) {
        return List.of("fan" + i + ".smith@example.com", String.format("+44 20 7946 %04d", 1000 + i),
                String.format("139 %04d %04d", 1200 + i, 5600 + i), card(i));
    }

    private static String line(String text, String label, String group) throws IOException {
        var node = JSON.createObjectNode().put("text", text).put("label", label);
        if (group != null) {
            node.put("group", group);
        }
        return JSON.writeValueAsString(node);
    }

    /** Every original value the dataset holds, and the dataset: 40 examples, each with its own personal data. */
    private static Map.Entry<List<String>, String> dataset() throws IOException {
        List<String> values = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String[] topic = i % 2 == 0 ? SPORT : FOOD;
            List<String> pii = personalData(i);
            values.addAll(pii);
            String text = topic[(i / 2) % 10] + (i >= 10 ? " yesterday" : "") + "; write to " + pii.get(0)
                    + ", call " + pii.get(1) + " or " + pii.get(2) + ", card " + pii.get(3);
            String group = "owner" + (i % 2) + "@example.org";
            values.add(group);
            lines.add(line(text, i % 2 == 0 ? "sports" : "cooking", group));
            lines.add(line(topic[(i / 2 + 5) % 10] + " mail " + pii.get(0), i % 2 == 0 ? "sports" : "cooking",
                    group));
        }
        return Map.entry(values, String.join("\n", lines) + "\n");
    }

    /** Records every blob the run writes, as it wrote it (embedding chunks are deleted at the end). */
    private static class RecordingStore implements BlobStore {
        final FileSystemBlobStore store;
        final Map<String, byte[]> written = new ConcurrentHashMap<>();

        RecordingStore(FileSystemBlobStore store) {
            this.store = store;
        }

        @Override
        public void put(String key, Path file) throws IOException {
            written.put(key, Files.readAllBytes(file));
            store.put(key, file);
        }

        @Override
        public InputStream open(String key) throws IOException {
            return store.open(key);
        }

        @Override
        public boolean exists(String key) throws IOException {
            return store.exists(key);
        }

        @Override
        public void delete(String key) throws IOException {
            store.delete(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return store.list(prefix);
        }
    }

    private FineTuneJobMessage job(String pii) {
        return new FineTuneJobMessage(UUID.randomUUID(), "ftjob-pii", tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-train", FineTuneBlobs.file(tenant, "file-train"), 0, "00",
                        40), null, new FineTuneJobMessage.Hyperparameters(3, 8, 1.0), 7, List.of("cooking", "sports"),
                "ft:all-minilm-l6-v2:t:ftjob-pii", Instant.parse("2026-01-01T00:00:00Z"), pii);
    }

    private FineTuneRun.Outcome run(FineTuneJobMessage job, BlobStore blobs) {
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

    @Test
    void aRedactingJobNeverGivesAnOriginalValueToTheBaseModelNorWritesOneAnywhere() throws Exception {
        var data = dataset();
        var store = new FileSystemBlobStore(dir);
        String trainingKey = FineTuneBlobs.file(tenant, "file-train");
        store.put(trainingKey, data.getValue().getBytes(StandardCharsets.UTF_8));
        var blobs = new RecordingStore(store);

        assertThat(run(job("redact"), blobs)).isEqualTo(FineTuneRun.Outcome.SUCCEEDED);

        // what the run wrote: embedding chunks, checkpoints, the model, the result files
        assertThat(blobs.written.keySet()).anyMatch(k -> k.contains("/embeddings-"))
                .anyMatch(k -> k.endsWith("evaluation.json")).contains(FineTuneBlobs.model(tenant, "ftjob-pii"));
        for (var blob : blobs.written.entrySet()) {
            String text = new String(blob.getValue(), StandardCharsets.ISO_8859_1);
            for (String value : data.getKey()) {
                assertThat(text).as(blob.getKey()).doesNotContain(value);
            }
        }
        assertThat(new String(blobs.written.get(FineTuneBlobs.resultFile(tenant, "ftjob-pii", "evaluation.json")),
                StandardCharsets.UTF_8)).as("groups are redacted too").contains("[EMAIL]");
        String sent = JSON.writeValueAsString(events);
        String logged = String.join("\n", logs.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList());
        for (String value : data.getKey()) {
            assertThat(sent).doesNotContain(value);
            assertThat(logged).doesNotContain(value);
        }
        // 40 examples: 40 e-mail addresses in the texts and 40 in the groups, 40 phones of each form, 20 cards
        assertThat(events).extracting(FineTuneEvent::message)
                .contains("Personal data redacted from the examples before use (pii=redact): 80 email,"
                        + " 20 payment_card, 40 phone");

        // the base model embedded the redacted texts: the saved vectors are theirs, not the originals'
        var texts = Dataset.parse(data.getValue().getBytes(StandardCharsets.UTF_8), List.of("cooking", "sports"))
                .texts();
        float[][] saved = FineTuneRun.readVectors(blobs.written.get(FineTuneBlobs.checkpoints(tenant, "ftjob-pii")
                + "/embeddings-0.bin"));
        var redactor = new PiiRedactor();
        try (var backbone = new Backbone(BaseModels.find("all-minilm-l6-v2").orElseThrow(), ORT.env(),
                ORT.sessionOptions())) {
            float[][] ofRedacted = backbone.embed(texts.subList(0, 4).stream()
                    .map(t -> backbone.tokenize(redactor.redact(t).text())).toList());
            float[][] ofOriginals = backbone.embed(texts.subList(0, 4).stream().map(backbone::tokenize).toList());
            for (int i = 0; i < 4; i++) {
                assertThat(saved[i]).containsExactly(ofRedacted[i], org.assertj.core.data.Offset.offset(1e-4f));
                assertThat(maxDifference(saved[i], ofOriginals[i])).isGreaterThan(1e-3f);
            }
        }
    }

    @Test
    void aJobWithoutTheModeTrainsOnTheExamplesAsTheyAre() throws Exception {
        var data = dataset();
        var store = new FileSystemBlobStore(dir);
        store.put(FineTuneBlobs.file(tenant, "file-train"), data.getValue().getBytes(StandardCharsets.UTF_8));
        var blobs = new RecordingStore(store);

        assertThat(run(job(null), blobs)).isEqualTo(FineTuneRun.Outcome.SUCCEEDED);

        assertThat(new String(blobs.written.get(FineTuneBlobs.resultFile(tenant, "ftjob-pii", "evaluation.json")),
                StandardCharsets.UTF_8)).contains("owner0@example.org");
        assertThat(events).extracting(FineTuneEvent::message).noneMatch(m -> m.contains("pii=redact"));
    }

    @Test
    void aModeThisWorkerDoesNotKnowFailsTheJobBeforeAnythingIsRead() throws Exception {
        List<String> read = new CopyOnWriteArrayList<>();
        var store = new FileSystemBlobStore(dir);
        store.put(FineTuneBlobs.file(tenant, "file-train"), dataset().getValue().getBytes(StandardCharsets.UTF_8));
        var blobs = new RecordingStore(store) {
            @Override
            public InputStream open(String key) throws IOException {
                read.add(key);
                return super.open(key);
            }
        };

        assertThat(run(job("mask"), blobs)).isEqualTo(FineTuneRun.Outcome.FAILED);

        assertThat(events).extracting(FineTuneEvent::type).containsExactly(FineTuneEvent.FAILED);
        assertThat(events.getLast().error().code()).isEqualTo("invalid_job");
        assertThat(events.getLast().error().message()).contains("`pii` 'mask'");
        assertThat(read).isEmpty();
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
