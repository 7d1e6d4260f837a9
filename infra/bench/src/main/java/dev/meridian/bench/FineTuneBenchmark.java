package dev.meridian.bench;

import ai.onnxruntime.OrtSession;
import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.worker.training.Adam;
import dev.meridian.worker.training.Backbone;
import dev.meridian.worker.training.BaseModels;
import dev.meridian.worker.training.ClassifierHead;
import dev.meridian.worker.training.EventSink;
import dev.meridian.worker.training.FineTuneRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Measures fine-tuning on this machine: the embedding pass (tokenize, ONNX Runtime, pool) against raw ONNX Runtime
 * calls on the same padded batches, head-training steps per second, and a whole job (embed, train, checkpoint,
 * export, verify) on a 1,000-example dataset. Run with {@code infra/bench/finetune [base-model] [examples]}.
 */
public final class FineTuneBenchmark {

    private FineTuneBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "all-minilm-l6-v2";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        var ort = OnnxRuntime.start(System.getProperty("meridian.worker.execution-provider", "auto"),
                Runtime.getRuntime().availableProcessors(), "meridian.worker.execution-provider");
        List<String> texts = new ArrayList<>();
        List<String> labels = List.of("billing", "bug", "feature", "praise");
        String[][] phrases = {
            {"I was charged twice for", "my invoice shows the wrong amount for", "please refund the payment for",
                "the subscription price changed for"},
            {"the app crashes when I open", "there is an error message on", "nothing loads after I click",
                "the page freezes while saving"},
            {"it would be great to export", "please add dark mode to", "could you support sharing of",
                "I would love a shortcut for"},
            {"I really love", "thank you so much for", "the team did a wonderful job on", "amazing work on"}};
        String[] objects = {"the dashboard", "my reports", "the mobile app", "the settings page", "team accounts",
            "the calendar", "project files", "the search"};
        Random r = new Random(1);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int y = i % labels.size();
            String t = phrases[y][r.nextInt(4)] + " " + objects[r.nextInt(objects.length)] + " (ticket " + i + ")";
            texts.add(t);
            jsonl.append("{\"text\":\"").append(t).append("\",\"label\":\"").append(labels.get(y)).append("\"}\n");
        }
        var spec = BaseModels.find(base).orElseThrow(() -> new IllegalArgumentException("unknown base " + base));
        System.out.printf("base model %s, %d examples, execution provider %s, %d cores%n", base, n, ort.provider(),
                Runtime.getRuntime().availableProcessors());
        try (var backbone = new Backbone(spec, ort.env(), ort.sessionOptions());
                OrtSession raw = ort.env().createSession(backbone.onnx(), ort.sessionOptions())) {
            int batch = 32;
            // warm-up: one batch of each, not timed
            backbone.embed(texts.subList(0, batch).stream().map(backbone::tokenize).toList());
            List<Tokens.Padded> inputs = new ArrayList<>();
            for (int i = 0; i < n; i += batch) {
                inputs.add(backbone.inputs(texts.subList(i, Math.min(n, i + batch)).stream().map(backbone::tokenize)
                        .toList()));
            }
            float[][] vectors = new float[n][];
            // three rounds, each timing both in turn, so that load from elsewhere on the machine hits both alike;
            // the best round of each counts
            double embedSeconds = Double.MAX_VALUE;
            double rawSeconds = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i += batch) {
                    var part = backbone.embed(texts.subList(i, Math.min(n, i + batch)).stream()
                            .map(backbone::tokenize).toList());
                    System.arraycopy(part, 0, vectors, i, part.length);
                }
                embedSeconds = Math.min(embedSeconds, (System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                for (var in : inputs) {
                    try (var result = raw.run(in.inputs(), java.util.Set.of(backbone.hiddenOutput()))) {
                        result.get(0);
                    }
                }
                rawSeconds = Math.min(rawSeconds, (System.nanoTime() - t1) / 1e9);
            }
            inputs.forEach(Tokens.Padded::close);
            System.out.printf("embedding pass (tokenize + ONNX Runtime + pool + normalise): %.1f examples/s (%.2f s);"
                    + " raw ONNX Runtime on the same padded batches: %.1f examples/s (%.2f s); overhead %.1f%%%n",
                    n / embedSeconds, embedSeconds, n / rawSeconds, rawSeconds,
                    100 * (embedSeconds - rawSeconds) / rawSeconds);

            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % labels.size();
            }
            var head = new ClassifierHead(vectors[0].length, labels.size(), new Random(2));
            var adam = new Adam(0.01f, head.w.length, head.b.length);
            int[] order = java.util.stream.IntStream.range(0, n).toArray();
            int steps = 0;
            long t2 = System.nanoTime();
            for (int epoch = 0; epoch < 20; epoch++) {
                for (int i = 0; i < n; i += batch) {
                    head.step(vectors, y, order, i, Math.min(n, i + batch), adam);
                    steps++;
                }
            }
            double trainSeconds = (System.nanoTime() - t2) / 1e9;
            System.out.printf("head training: %.0f steps/s (batch %d, %d dims, %d labels; %d steps in %.3f s)%n",
                    steps / trainSeconds, batch, vectors[0].length, labels.size(), steps, trainSeconds);
        }

        var dir = Files.createTempDirectory("meridian-bench");
        var blobs = new FileSystemBlobStore(dir);
        UUID tenant = UUID.randomUUID();
        String jobId = "ftjob-bench" + System.currentTimeMillis();
        String fileKey = FineTuneBlobs.file(tenant, "file-bench");
        blobs.put(fileKey, jsonl.toString().getBytes(StandardCharsets.UTF_8));
        var job = new FineTuneJobMessage(UUID.randomUUID(), jobId, tenant, "eu-central", base,
                new FineTuneJobMessage.DatasetRef("file-bench", fileKey, jsonl.length(), "", n), null,
                new FineTuneJobMessage.Hyperparameters(10, 32, 1.0), 42, labels, "ft:" + base + "::" + jobId,
                Instant.now());
        List<FineTuneEvent> events = new ArrayList<>();
        EventSink sink = new EventSink() {
            @Override
            public void send(FineTuneEvent event, boolean durable) {
                events.add(event);
            }

            @Override
            public void usage(UsageEvent event) {
            }
        };
        long t3 = System.nanoTime();
        var epochs = io.micrometer.core.instrument.Timer.builder("bench.epochs")
                .register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        var outcome = new FineTuneRun(job, ort, blobs, sink, "bench", () -> false, () -> false, () -> false, epochs)
                .run();
        double jobSeconds = (System.nanoTime() - t3) / 1e9;
        var last = events.getLast();
        System.out.printf("whole job (%d examples, 10 epochs max, batch 32): %s in %.1f s; %s%n", n, outcome,
                jobSeconds, last.message());
    }
}
