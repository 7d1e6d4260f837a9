package dev.meridian.worker.training;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.common.pii.PiiKind;
import dev.meridian.common.pii.PiiMode;
import dev.meridian.common.pii.PiiRedactor;
import dev.meridian.worker.evaluation.EvaluationReport;
import dev.meridian.worker.export.OnnxExporter;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * One job on one worker: embed the examples with the frozen base model (saved in chunks, so a crash loses at most a
 * chunk), train the head epoch by epoch (a checkpoint after each, early stopping on the validation loss), export the
 * tuned model, verify it in ONNX Runtime against the Java head, report usage and the result. Started again for the
 * same job (after a crash or a rebalance), it picks up from the saved chunks and the last checkpoint; its events
 * carry the same ids for the same work, so the models service applies each once.
 *
 * <p>A job with {@code pii} {@code redact} has the personal data in every example's text and group replaced
 * ({@link PiiRedactor}) as the dataset is read, so the tokenizer, the base model, the saved embeddings, checkpoints,
 * the exported model's check, the result files, events and logs only ever see the placeholders.
 */
public final class FineTuneRun {

    public enum Outcome { SUCCEEDED, FAILED, CANCELLED, HANDED_OVER }

    private static final Logger LOG = Logger.getLogger(FineTuneRun.class.getName());

    /** Adam's learning rate at {@code learning_rate_multiplier} 1. */
    public static final float BASE_LEARNING_RATE = 0.01f;
    /** Epochs without a better validation loss before training stops early. */
    public static final int PATIENCE = 3;
    /** Examples embedded per saved chunk. */
    public static final int CHUNK = 128;
    static final int EMBED_BATCH = 32;

    private final FineTuneJobMessage job;
    private final OnnxRuntime ort;
    private final BlobStore blobs;
    private final EventSink sink;
    private final String worker;
    private final BooleanSupplier cancelled;
    private final BooleanSupplier handedOver;
    private final BooleanSupplier stopAtCheckpoint;
    private final Timer epochs;
    /** The job's {@code pii} mode; empty for a mode this worker does not know, which it refuses. */
    private final Optional<PiiMode> pii;
    private final PiiRedactor redactor = new PiiRedactor();

    /**
     * @param cancelled whether the job was cancelled: checked before every step, the run ends CANCELLED
     * @param handedOver whether the job must stop now (its partition moved, the worker stops at once): checked before
     *         every step, the run ends HANDED_OVER and another worker resumes it from its checkpoints
     * @param stopAtCheckpoint whether the worker is stopping gracefully: checked after each checkpoint (an epoch's, a
     *         chunk of embeddings), the run ends HANDED_OVER there
     * @param epochs times each epoch, checkpoint included
     */
    public FineTuneRun(FineTuneJobMessage job, OnnxRuntime ort, BlobStore blobs, EventSink sink, String worker,
            BooleanSupplier cancelled, BooleanSupplier handedOver, BooleanSupplier stopAtCheckpoint, Timer epochs) {
        this.job = job;
        this.ort = ort;
        this.blobs = blobs;
        this.sink = sink;
        this.worker = worker;
        this.cancelled = cancelled;
        this.handedOver = handedOver;
        this.stopAtCheckpoint = stopAtCheckpoint;
        this.epochs = epochs;
        this.pii = PiiMode.of(job.pii());
    }

    private final class Stop extends RuntimeException {
        final Outcome outcome;

        Stop(Outcome outcome) {
            super(outcome.name(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** A job message this worker refuses to run, with why; nothing of the job's data has been read. */
    static final class RefusedJob extends RuntimeException {
        RefusedJob(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The blob key of a dataset, derived from the job's tenant and the file's id (as the models service stored it),
     * never taken from the message: a message naming another tenant's key is refused before anything is read.
     */
    static String datasetKey(FineTuneJobMessage job, FineTuneJobMessage.DatasetRef file, String param) {
        String key;
        try {
            key = FineTuneBlobs.file(job.tenantId(), file.id());
        } catch (IllegalArgumentException e) {
            throw new RefusedJob("the job message's `" + param + "` id '" + file.id() + "' is not a Meridian file id");
        }
        if (file.blobKey() != null && !file.blobKey().equals(key)) {
            throw new RefusedJob("the job message names `" + param + "` at blob key '" + file.blobKey()
                    + "', which is not where tenant " + job.tenantId() + " keeps file " + file.id() + " (" + key
                    + "); the job was refused and nothing was read");
        }
        return key;
    }

    public Outcome run() {
        long started = System.nanoTime();
        String trainingKey;
        String validationKey;
        try {
            trainingKey = datasetKey(job, job.trainingFile(), "training_file");
            validationKey = job.validationFile() == null ? null
                    : datasetKey(job, job.validationFile(), "validation_file");
            if (pii.isEmpty()) {
                // training on the examples as they are could keep what the tenant asked to be removed
                throw new RefusedJob("the job message asks for `pii` '" + job.pii() + "', which this worker does"
                        + " not know (it knows " + PiiMode.NONE.wireName() + " and " + PiiMode.REDACT.wireName()
                        + "); nothing was read");
            }
        } catch (RefusedJob refused) {
            LOG.warning("job " + job.jobId() + " refused: " + refused.getMessage());
            send(FineTuneEvent.FAILED, "failed", 0, "error", "Refused: " + refused.getMessage(), null, null, null,
                    null, new FineTuneEvent.Error("invalid_job", "The job could not run: " + refused.getMessage()
                            + ". Create the job again; if this repeats, contact support with the job id."));
            return Outcome.FAILED;
        }
        try {
            send(FineTuneEvent.RUNNING, "running", 0, "info", "Fine-tuning job started", null, null, null, null, null);
            var spec = BaseModels.find(job.baseModel()).orElseThrow(() -> new IllegalArgumentException(
                    "base model " + job.baseModel() + " is not available on this worker"));
            Map<PiiKind, Integer> redactions = new EnumMap<>(PiiKind.class);
            Dataset train = dataset(trainingKey, redactions);
            Dataset valid = validationKey == null ? null : dataset(validationKey, redactions);
            if (redacting()) {
                send(FineTuneEvent.MESSAGE, "pii-redacted", 0, "info", redactionSummary(redactions), null, null, null,
                        null, null);
            }
            try (Backbone backbone = new Backbone(spec, ort.env(), ort.sessionOptions())) {
                List<String> all = new ArrayList<>(train.texts());
                if (valid != null) {
                    all.addAll(valid.texts());
                }
                float[][] vectors = embedAll(backbone, all);
                float[][] trainX;
                int[] trainY;
                float[][] validX;
                int[] validY;
                List<String> trainGroups;
                List<String> validGroups;
                String evaluatedOn;
                if (valid != null) {
                    trainX = java.util.Arrays.copyOfRange(vectors, 0, train.size());
                    trainY = train.labels();
                    validX = java.util.Arrays.copyOfRange(vectors, train.size(), vectors.length);
                    validY = valid.labels();
                    trainGroups = train.groups();
                    validGroups = valid.groups();
                    evaluatedOn = EvaluationReport.VALIDATION_FILE;
                } else {
                    var split = StratifiedSplit.of(train.labels(), job.labels().size(), job.seed());
                    trainX = pick(vectors, split.train());
                    trainY = pick(train.labels(), split.train());
                    validX = pick(vectors, split.validation());
                    validY = pick(train.labels(), split.validation());
                    trainGroups = pick(train.groups(), split.train());
                    validGroups = pick(train.groups(), split.validation());
                    evaluatedOn = EvaluationReport.HELD_OUT;
                }
                TrainingState state = train(trainX, trainY, validX, validY);
                ClassifierHead head = exportedHead(state, validX.length > 0);
                byte[] model = export(backbone, head, trainingKey);
                String key = FineTuneBlobs.model(job.tenantId(), job.jobId());
                blobs.put(key, model);
                long seconds = Math.max(1, (long) Math.ceil((System.nanoTime() - started) / 1e9));
                long exampleEpochs = (long) trainX.length * state.epochsDone;
                usage(Meter.TRAINING_EXAMPLE_EPOCHS, exampleEpochs);
                usage(Meter.ACCELERATOR_SECONDS, seconds);
                var finalEval = validX.length > 0 ? head.evaluate(validX, validY) : head.evaluate(trainX, trainY);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put(validX.length > 0 ? "valid_loss" : "train_loss", finalEval.loss());
                metrics.put(validX.length > 0 ? "valid_accuracy" : "train_accuracy", finalEval.accuracy());
                List<FineTuneEvent.ResultFile> resultFiles = validX.length > 0
                        ? writeResults(state, head, evaluatedOn, validX, validY, validGroups)
                        : writeResults(state, head, EvaluationReport.TRAINING_FILE, trainX, trainY, trainGroups);
                var result = new FineTuneEvent.Result(key, model.length, sha256(model), job.labels(), exampleEpochs,
                        state.epochsDone, metrics, resultFiles);
                discardEmbeddings();
                send(FineTuneEvent.SUCCEEDED, "succeeded", 0, "info", "The job has successfully completed: "
                        + job.fineTunedModel() + " (" + state.epochsDone + " epochs, " + describe(metrics) + ")",
                        null, null, null, result, null);
                return Outcome.SUCCEEDED;
            }
        } catch (Stop stop) {
            if (stop.outcome == Outcome.CANCELLED) {
                discardEmbeddings();
                send(FineTuneEvent.CANCELLED, "cancelled", 0, "info", "Worker " + worker + " stopped the job: it was"
                        + " cancelled", null, null, null, null, null);
            }
            return stop.outcome;
        } catch (Exception | OutOfMemoryError e) {
            if (handedOver.getAsBoolean()) {
                // The worker is stopping (its blob and Kafka calls are interrupted) or lost the job's partition: not
                // the job's failure. Another worker takes the job over from its checkpoints, and fails it should
                // the failure be the job's own.
                LOG.info("job " + job.jobId() + " stopped while being handed over (" + safe(e.toString()) + ")");
                return Outcome.HANDED_OVER;
            }
            LOG.log(java.util.logging.Level.WARNING, "job " + job.jobId() + " failed", loggable(e));
            discardEmbeddings();
            String why = safe(e.getMessage());
            send(FineTuneEvent.FAILED, "failed", 0, "error", "Training failed: " + why, null, null, null,
                    null, new FineTuneEvent.Error("training_failed", "Training failed on the worker: "
                            + why + ". Retry the job; if it fails again, contact support with the job id."));
            return Outcome.FAILED;
        }
    }

    private boolean redacting() {
        return pii.orElse(PiiMode.NONE) == PiiMode.REDACT;
    }

    /** The examples of a dataset file, with their personal data replaced when the job asks (counted in {@code into}). */
    private Dataset dataset(String key, Map<PiiKind, Integer> into) throws IOException {
        Dataset parsed = Dataset.parse(blobs.read(key), job.labels());
        return redacting() ? parsed.redacted(redactor, into) : parsed;
    }

    private static String redactionSummary(Map<PiiKind, Integer> counts) {
        if (counts.isEmpty()) {
            return "Personal data redaction (pii=redact): none found in the examples";
        }
        return "Personal data redacted from the examples before use (pii=redact): " + String.join(", ",
                counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey().wireName()).toList());
    }

    /**
     * A failure's text as events and logs may carry it: with {@code pii=redact} a message that quotes an example (a
     * JSON parser's excerpt, say) has its personal data replaced too.
     */
    private String safe(String text) {
        return text == null || !redacting() ? text : redactor.redact(text).text();
    }

    /** The failure to log: itself, or with {@code pii=redact} a copy with the same stack whose message is redacted. */
    private Throwable loggable(Throwable e) {
        if (!redacting()) {
            return e;
        }
        var copy = new IllegalStateException(e.getClass().getName() + ": " + safe(e.getMessage()));
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    private void checkStop() {
        if (handedOver.getAsBoolean()) {
            throw new Stop(Outcome.HANDED_OVER);
        }
        if (cancelled.getAsBoolean()) {
            throw new Stop(Outcome.CANCELLED);
        }
    }

    private String embeddingChunk(int c) {
        return FineTuneBlobs.checkpoints(job.tenantId(), job.jobId()) + "/embeddings-" + c + ".bin";
    }

    /**
     * Deletes the saved embedding chunks once the job has ended (before its last event, so a crash in between only
     * costs a successor the embedding again): they exist only to resume after a crash, and they are derived from the
     * tenant's training data, which is not kept longer than the job needs it. Chunks are written in order, so the first
     * missing one ends them. A failure to delete is logged and does not change the job's outcome.
     */
    void discardEmbeddings() {
        int c = 0;
        try {
            for (; blobs.exists(embeddingChunk(c)); c++) {
                blobs.delete(embeddingChunk(c));
            }
        } catch (IOException e) {
            LOG.warning("job " + job.jobId() + ": cannot delete its embedding chunks from " + c + " on (" + e
                    + "); they stay in the store");
        }
    }

    /** Embeds every text, chunk by chunk; chunks saved by an earlier attempt are read back instead. */
    float[][] embedAll(Backbone backbone, List<String> texts) throws IOException {
        float[][] out = new float[texts.size()][];
        int chunks = (texts.size() + CHUNK - 1) / CHUNK;
        int reused = 0;
        for (int c = 0; c < chunks; c++) {
            int from = c * CHUNK;
            int to = Math.min(texts.size(), from + CHUNK);
            String key = embeddingChunk(c);
            var saved = blobs.readIfPresent(key);
            if (saved.isPresent()) {
                float[][] part = readVectors(saved.get());
                System.arraycopy(part, 0, out, from, part.length);
                reused += part.length;
                continue;
            }
            if (reused > 0 && from == reused) {
                send(FineTuneEvent.MESSAGE, "resumed-embedding", reused, "info", "Resumed: " + reused + " of "
                        + texts.size() + " examples were already embedded by an earlier attempt", null, null, null,
                        null, null);
            }
            for (int b = from; b < to; b += EMBED_BATCH) {
                checkStop();
                int end = Math.min(to, b + EMBED_BATCH);
                List<Tokens> batch = texts.subList(b, end).stream().map(backbone::tokenize).toList();
                float[][] v = backbone.embed(batch);
                System.arraycopy(v, 0, out, b, v.length);
            }
            blobs.put(key, writeVectors(java.util.Arrays.copyOfRange(out, from, to)));
            send(FineTuneEvent.MESSAGE, "embedded", to, "info", "Embedded " + to + " of " + texts.size()
                    + " examples with " + job.baseModel(), null, null, null, null, null);
            checkpointed();
        }
        return out;
    }

    TrainingState train(float[][] x, int[] y, float[][] vx, int[] vy) throws IOException {
        int dims = x[0].length;
        int k = job.labels().size();
        int batch = Math.min(job.hyperparameters().batchSize(), x.length);
        int stepsPerEpoch = (x.length + batch - 1) / batch;
        TrainingState state = latestCheckpoint(stepsPerEpoch);
        if (state == null) {
            state = new TrainingState();
            state.head = new ClassifierHead(dims, k, new Random(job.seed()));
            state.adam = new Adam((float) (BASE_LEARNING_RATE * job.hyperparameters().learningRateMultiplier()),
                    dims * k, k);
            state.best = state.head.copy();
        } else {
            send(FineTuneEvent.MESSAGE, "resumed", state.step, "info", "Resumed from the checkpoint at step "
                    + state.step + " (epoch " + state.epochsDone + ")", null, null, null, null, null);
        }
        for (int epoch = state.epochsDone + 1; epoch <= job.hyperparameters().nEpochs() && !state.stoppedEarly;
                epoch++) {
            long epochStarted = System.nanoTime();
            int[] order = permutation(x.length, new Random(job.seed() * 1_000_003L + epoch));
            double loss = 0;
            for (int from = 0; from < x.length; from += batch) {
                checkStop();
                loss += state.head.step(x, y, order, from, Math.min(x.length, from + batch), state.adam);
                state.step++;
            }
            var trainEval = state.head.evaluate(x, y);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("train_loss", loss / x.length);
            metrics.put("train_accuracy", trainEval.accuracy());
            if (vx.length > 0) {
                var v = state.head.evaluate(vx, vy);
                metrics.put("valid_loss", v.loss());
                metrics.put("valid_accuracy", v.accuracy());
                if (v.loss() < state.bestLoss - 1e-6) {
                    state.bestLoss = v.loss();
                    state.best = state.head.copy();
                    state.bestEpoch = epoch;
                    state.epochsWithoutImprovement = 0;
                } else {
                    state.epochsWithoutImprovement++;
                }
            } else {
                state.best = state.head.copy();
                state.bestEpoch = epoch;
            }
            state.history.add(new EpochMetrics(epoch, state.step, metrics.get("train_loss"),
                    metrics.get("train_accuracy"), metrics.getOrDefault("valid_loss", Double.NaN),
                    metrics.getOrDefault("valid_accuracy", Double.NaN)));
            state.epochsDone = epoch;
            state.stoppedEarly = vx.length > 0 && state.epochsWithoutImprovement >= PATIENCE;
            String key = FineTuneBlobs.checkpoint(job.tenantId(), job.jobId(), state.step);
            blobs.put(key, state.toBytes());
            send(FineTuneEvent.METRICS, "metrics", state.step, "info", "Epoch " + epoch + "/"
                    + job.hyperparameters().nEpochs() + " (step " + state.step + "/"
                    + stepsPerEpoch * job.hyperparameters().nEpochs() + "): " + describe(metrics), epoch, metrics,
                    null, null, null);
            send(FineTuneEvent.CHECKPOINT, "checkpoint", state.step, "info", "Checkpoint saved at step "
                    + state.step, epoch, null, new FineTuneEvent.Checkpoint(state.step, key, metrics), null, null);
            if (state.stoppedEarly) {
                send(FineTuneEvent.MESSAGE, "early-stop", state.step, "info", "Stopped early after epoch " + epoch
                        + ": the validation loss has not improved for " + PATIENCE + " epochs; keeping the best head"
                        + " (valid_loss " + String.format("%.4f", state.bestLoss) + ")", null, null, null, null, null);
            }
            epochs.record(System.nanoTime() - epochStarted, TimeUnit.NANOSECONDS);
            checkpointed();
        }
        return state;
    }

    /** After a checkpoint: a stopping worker hands the job over here, where nothing done is lost. */
    private void checkpointed() {
        if (stopAtCheckpoint.getAsBoolean()) {
            LOG.info("job " + job.jobId() + ": stopped at a checkpoint, as this worker is stopping");
            throw new Stop(Outcome.HANDED_OVER);
        }
    }

    /**
     * The state saved after the last epoch an earlier attempt finished. Every epoch runs all its steps, so epoch
     * {@code e} ends at step {@code e × stepsPerEpoch}: the newest checkpoint is found by asking for those keys from
     * the last epoch down, which works on any blob store (an object store need not list).
     */
    private TrainingState latestCheckpoint(int stepsPerEpoch) throws IOException {
        for (int epoch = job.hyperparameters().nEpochs(); epoch >= 1; epoch--) {
            var saved = blobs.readIfPresent(FineTuneBlobs.checkpoint(job.tenantId(), job.jobId(),
                    epoch * stepsPerEpoch));
            if (saved.isPresent()) {
                return TrainingState.fromBytes(saved.get());
            }
        }
        return null;
    }

    /** Exports the tuned model and checks, in ONNX Runtime, that it gives the Java head's probabilities. */
    byte[] export(Backbone backbone, ClassifierHead head, String trainingKey) throws OrtException, IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(OnnxExporter.BASE_MODEL_KEY, job.baseModel());
        meta.put("meridian.fine_tuning_job", job.jobId());
        meta.put("meridian.model", job.fineTunedModel());
        byte[] model = OnnxExporter.export(backbone.onnx(), backbone.hiddenOutput(), backbone.spec().pooling(),
                head.w, head.b, job.labels(), meta);
        List<String> sample = dataset(trainingKey, new EnumMap<>(PiiKind.class)).texts();
        sample = sample.subList(0, Math.min(8, sample.size()));
        List<Tokens> tokens = sample.stream().map(backbone::tokenize).toList();
        float[][] vectors = backbone.embed(tokens);
        try (OrtSession tuned = ort.env().createSession(model, ort.sessionOptions())) {
            try (Tokens.Padded inputs = backbone.inputs(tokens); var result = tuned.run(inputs.inputs())) {
                float[][] p = (float[][]) result.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
                for (int i = 0; i < vectors.length; i++) {
                    float[] expected = head.probabilities(vectors[i]);
                    for (int c = 0; c < expected.length; c++) {
                        if (Math.abs(expected[c] - p[i][c]) > 1e-3) {
                            throw new IllegalStateException("the exported model disagrees with the trained head ("
                                    + p[i][c] + " vs " + expected[c] + ")");
                        }
                    }
                }
            }
        }
        return model;
    }

    private void usage(Meter meter, long quantity) {
        sink.usage(new UsageEvent(id("usage", meter.ordinal()), job.tenantId(), job.region(), meter, quantity,
                job.fineTunedModel(), null, Instant.now(), "worker:" + job.region() + ":" + worker));
    }

    private void send(String type, String kind, int n, String level, String message, Integer epoch,
            Map<String, Double> metrics, FineTuneEvent.Checkpoint checkpoint, FineTuneEvent.Result result,
            FineTuneEvent.Error error) {
        Integer step = type.equals(FineTuneEvent.METRICS) || type.equals(FineTuneEvent.CHECKPOINT) ? n : null;
        sink.send(new FineTuneEvent(id(kind, n), type, job.jobId(), job.tenantId(), level, message, step, epoch,
                metrics, checkpoint, result, error, worker, Instant.now()), true);
    }

    /** The same work gets the same event id on every attempt, so the models service applies it once. */
    private UUID id(String kind, int n) {
        return UUID.nameUUIDFromBytes((job.jobId() + ":" + kind + ":" + n).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The head the job exports: with validation examples the best epoch's (lowest validation loss), which early
     * stopping keeps; without, the last epoch's.
     */
    static ClassifierHead exportedHead(TrainingState state, boolean validated) {
        return validated ? state.best : state.head;
    }

    /**
     * Evaluates the exported head on the examples given (the validation examples, or the training examples when the
     * job has none), writes the per-epoch CSV and the evaluation report to the job's results folder, and returns them
     * as the result event lists them: the CSV first, as OpenAI's jobs list their metrics file first.
     */
    List<FineTuneEvent.ResultFile> writeResults(TrainingState state, ClassifierHead head, String evaluatedOn,
            float[][] x, int[] y, List<String> groups) throws IOException {
        float[][] p = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            p[i] = head.probabilities(x[i]);
        }
        var run = new EvaluationReport.Run(job.jobId(), job.fineTunedModel(), job.baseModel(), evaluatedOn,
                state.bestEpoch, state.stoppedEarly, state.history);
        var report = EvaluationReport.of(run, job.labels(), p, y, groups);
        return List.of(resultFile(EvaluationReport.METRICS_FILE, EvaluationReport.csv(state.history), "text/csv"),
                resultFile(EvaluationReport.FILE, report.json(), "application/json"));
    }

    private FineTuneEvent.ResultFile resultFile(String name, byte[] content, String contentType) throws IOException {
        String key = FineTuneBlobs.resultFile(job.tenantId(), job.jobId(), name);
        blobs.put(key, content);
        return new FineTuneEvent.ResultFile(name, key, content.length, sha256(content), contentType);
    }

    private static float[][] pick(float[][] all, int[] indexes) {
        float[][] out = new float[indexes.length][];
        for (int i = 0; i < indexes.length; i++) {
            out[i] = all[indexes[i]];
        }
        return out;
    }

    private static int[] pick(int[] all, int[] indexes) {
        int[] out = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            out[i] = all[indexes[i]];
        }
        return out;
    }

    private static List<String> pick(List<String> all, int[] indexes) {
        List<String> out = new ArrayList<>(indexes.length);
        for (int i : indexes) {
            out.add(all.get(i));
        }
        return out;
    }

    static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static String describe(Map<String, Double> metrics) {
        var sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format(java.util.Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    static byte[] writeVectors(float[][] v) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(v.length);
            out.writeInt(v.length == 0 ? 0 : v[0].length);
            for (float[] row : v) {
                for (float f : row) {
                    out.writeFloat(f);
                }
            }
        }
        return bytes.toByteArray();
    }

    static float[][] readVectors(byte[] data) throws IOException {
        try (var in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            float[][] v = new float[in.readInt()][in.readInt()];
            for (float[] row : v) {
                for (int d = 0; d < row.length; d++) {
                    row[d] = in.readFloat();
                }
            }
            return v;
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
