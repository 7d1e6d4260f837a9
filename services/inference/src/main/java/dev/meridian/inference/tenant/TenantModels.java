package dev.meridian.inference.tenant;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.inference.batching.BatchStats;
import dev.meridian.inference.batching.InferenceBatcher;
import dev.meridian.inference.config.InferenceConfig;
import dev.meridian.inference.rest.OipException;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.runtime.RunRefused;
import dev.meridian.inference.runtime.TenantRuns;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Serves tenants' deployed ONNX models: finds the deployment (tenant id + name, never across tenants), loads the
 * artifact from the region's blob store with its sha256 verified, keeps the session in the memory-aware
 * {@link SessionCache}, and runs calls on it — on {@link TenantRuns}, never where base models run: a bounded pool, a
 * time limit per call that stops it in ONNX Runtime, a cap on the bytes a call may answer, and the run time measured
 * for metering ({@code model_run_milliseconds}).
 */
@ApplicationScoped
public class TenantModels {

    private static final Logger LOG = Logger.getLogger(TenantModels.class);

    /** A deployed version resolved for a call. */
    public record Resolved(DeployedModel model, DeployedModel.Version version) {
        public String sessionKey() {
            return model.tenantId() + "/" + model.model() + "/" + version.version() + "/" + version.sha256();
        }
    }

    @Inject
    InferenceConfig config;
    @Inject
    Deployments deployments;
    @Inject
    OrtRuntime ort;

    /** Work done on a version's session while it is held for the call. */
    @FunctionalInterface
    public interface SessionWork<T> {
        T run(OrtSession session) throws Exception;
    }

    /** A model call on a version's session, passing {@code options} to {@link OrtSession#run} so it can be stopped. */
    @FunctionalInterface
    public interface SessionCall<T> {
        T run(OrtSession session, OrtSession.RunOptions options) throws Exception;
    }

    /** The outputs of one OIP call, and how long the model ran for it (its share of a batched call). */
    public record Inference(List<TensorCodec.Output> outputs, long runNanos) {
    }

    private BlobStore blobs;
    private SessionCache sessions;
    private TenantRuns runs;
    /**
     * A batcher per deployed version that has been called with batchable requests, the least recently used dropped
     * beyond {@code batching.max-batchers}. Batchers own no thread: their batches run on {@link #runs}' pool.
     */
    private Map<String, InferenceBatcher<RequestRow, RowResult>> batchers;
    /** Versions whose outputs turned out not to follow the batch dimension. */
    private final Set<String> unbatchable = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void init() throws IOException {
        var t = config.tenantModels();
        blobs = t.blobs().settings("meridian.inference.tenant-models.blobs",
                Path.of(".platform/blobs/" + config.region())).open();
        sessions = new SessionCache(t.sessionBudgetBytes());
        var r = t.runs();
        runs = new TenantRuns(r.threads().orElse(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)),
                r.maxQueued(), r.maxPerTenant(), r.timeLimit());
        int maxBatchers = t.batching().maxBatchers();
        batchers = java.util.Collections.synchronizedMap(
                new LinkedHashMap<String, InferenceBatcher<RequestRow, RowResult>>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(
                            Map.Entry<String, InferenceBatcher<RequestRow, RowResult>> eldest) {
                        if (size() > maxBatchers) {
                            eldest.getValue().close(); // what waits in it runs alone instead
                            return true;
                        }
                        return false;
                    }
                });
    }

    void stop(@Observes ShutdownEvent event) {
        closeBatchers(k -> true);
        sessions.close();
        runs.close();
    }

    public boolean enabled() {
        return deployments.enabled();
    }

    /**
     * The newest deployed version of the tenant's model, or empty when none is deployed (or the name is another
     * tenant's, which is the same thing to the caller).
     */
    public Optional<Resolved> find(UUID tenantId, String model) {
        return deployments.find(tenantId, model)
                .flatMap(d -> d.version(Optional.empty()).map(v -> new Resolved(d, v)));
    }

    /** The deployed model and version, or a 404 in the protocol's words (the same for another tenant's). */
    public Resolved resolve(UUID tenantId, String model, Optional<String> version) {
        DeployedModel deployed = deployments.find(tenantId, model)
                .orElseThrow(() -> new OipException(404, "model '" + model + "' is not found in this region"));
        var v = deployed.version(version).orElseThrow(() -> new OipException(404, "model '" + model
                + "' has no deployed version '" + version.orElse("") + "'; deployed versions: "
                + deployed.versions().stream().map(DeployedModel.Version::version).toList()));
        return new Resolved(deployed, v);
    }

    /**
     * Runs one call, batched with concurrent calls where the model allows it; outputs in the order asked for.
     *
     * @throws RunRefused when a limit of {@link TenantRuns} or the output cap refused or stopped the call
     */
    public Inference infer(Resolved r, JsonNode request) throws Exception {
        JsonNode inputs = request == null ? null : request.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw new OipException(400, "the request needs an `inputs` array; " + r.model().model() + " takes "
                    + r.version().inputs().stream().map(i -> "'" + i.name() + "' (" + i.datatype() + ", "
                            + i.shape() + ")").toList());
        }
        Map<String, JsonNode> given = new HashMap<>();
        for (JsonNode i : inputs) {
            String name = i.path("name").asText();
            if (r.version().inputs().stream().noneMatch(s -> s.name().equals(name))) {
                throw new OipException(400, "unexpected input '" + name + "'; " + r.model().model() + " takes "
                        + r.version().inputs().stream().map(DeployedModel.Tensor::name).toList());
            }
            given.put(name, i);
        }
        List<String> wanted = wantedOutputs(r, request.get("outputs"));
        Map<String, HostTensor> decoded = new LinkedHashMap<>();
        for (DeployedModel.Tensor spec : r.version().inputs()) {
            JsonNode input = given.get(spec.name());
            if (input == null) {
                throw new OipException(400, "missing input '" + spec.name() + "' (" + spec.datatype() + ", shape "
                        + spec.shape() + ")");
            }
            decoded.put(spec.name(), TensorCodec.decode(spec, input));
        }
        try (TenantRuns.Permit ignored = runs.admit(r.model().tenantId())) {
            return run(r, decoded, wanted);
        }
    }

    private Inference run(Resolved r, Map<String, HostTensor> decoded, List<String> wanted) throws Exception {
        int rows = batchRows(r, decoded);
        if (rows > 0) {
            try {
                List<RowResult> results = batcher(r).submit(
                        IntStream.range(0, rows).mapToObj(i -> new RequestRow(decoded, i)).toList())
                        .get();
                List<TensorCodec.Output> out = new ArrayList<>();
                for (String name : wanted) {
                    out.add(TensorCodec.Output.stack(results.stream()
                            .map(x -> new TensorCodec.Output.Row(x.outputs().get(name), x.index())).toList()));
                }
                return new Inference(out, results.stream().mapToLong(RowResult::runNanos).sum());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RunRefused refused) {
                    // The batch was stopped at the time limit or refused: running it again alone costs as much again.
                    throw refused;
                }
                if (e.getCause() instanceof NotBatchAligned misaligned) {
                    LOG.warnf("tenant model %s is served unbatched from now on: %s", r.sessionKey(),
                            misaligned.getMessage());
                    unbatchable.add(r.sessionKey());
                    closeBatchers(k -> k.equals(r.sessionKey()));
                }
                // A batched call failed: this request runs alone, so an error it causes is its own.
            }
        }
        return runAlone(r, decoded, wanted);
    }

    private Inference runAlone(Resolved r, Map<String, HostTensor> decoded, List<String> wanted)
            throws Exception {
        checkDeclaredOutputs(r, wanted);
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (SessionCache.Lease lease = acquire(r)) {
            for (var e : decoded.entrySet()) {
                feed.put(e.getKey(), e.getValue().toOnnx(ort.env()));
            }
            var timed = runs.run(describe(r), options -> {
                try (OrtSession.Result result = lease.session().run(feed, new LinkedHashSet<>(wanted), options)) {
                    checkOutputs(r, result, wanted);
                    List<TensorCodec.Output> out = new ArrayList<>();
                    for (String name : wanted) {
                        OnnxValue value = result.get(name).orElseThrow();
                        out.add(TensorCodec.fromValue(name, value));
                    }
                    return out;
                } catch (OrtException e) {
                    throw new OipException(400, "the model could not run on these inputs: " + e.getMessage());
                }
            });
            return new Inference(timed.value(), timed.runNanos());
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static String describe(Resolved r) {
        return "model '" + r.model().model() + "' version " + r.version().version();
    }

    /** Refuses before running when the declared, fully fixed output shapes already hold more than the cap. */
    private void checkDeclaredOutputs(Resolved r, List<String> wanted) {
        long cap = config.tenantModels().runs().maxOutputBytes();
        long total = 0;
        for (DeployedModel.Tensor t : r.version().outputs()) {
            if (!wanted.contains(t.name())) {
                continue;
            }
            var bytes = TensorCodec.declaredBytes(t);
            if (bytes.isEmpty()) {
                return; // a dynamic dimension: only the answer tells
            }
            total = Math.addExact(total, bytes.getAsLong());
        }
        if (total > cap) {
            throw outputTooLarge(r, total, cap);
        }
    }

    /** Refuses an answer above the cap before anything of it is copied out of ONNX Runtime. */
    private void checkOutputs(Resolved r, OrtSession.Result result, List<String> wanted) throws OrtException {
        long cap = config.tenantModels().runs().maxOutputBytes();
        long total = 0;
        for (String name : wanted) {
            total = TensorCodec.saturatedAdd(total, TensorCodec.outputBytes(name, result.get(name).orElseThrow()));
        }
        if (total > cap) {
            throw outputTooLarge(r, total, cap);
        }
    }

    private static RunRefused outputTooLarge(Resolved r, long bytes, long cap) {
        return RunRefused.outputTooLarge(describe(r) + " answers " + (bytes == Long.MAX_VALUE ? "more than "
                + Long.MAX_VALUE : bytes) + " bytes of outputs for these inputs, more than the " + cap + " bytes one"
                + " call may answer (meridian.inference.tenant-models.runs.max-output-bytes); send fewer rows or ask"
                + " for fewer outputs");
    }

    /** One row of a request: every input at the same index of its first dimension. */
    private record RequestRow(Map<String, HostTensor> inputs, int index) {
        /** Rows merge only with rows whose inputs have the same trailing shapes. */
        List<List<Long>> trailingShapes() {
            return inputs.values().stream().map(HostTensor::trailingShape).toList();
        }
    }

    /** A row's outputs: the whole outputs of the call that ran it, its index in them, its share of the run time. */
    private record RowResult(Map<String, TensorCodec.Output> outputs, int index, long runNanos) {
    }

    /** The model's first dimension does not follow the batch, so rows cannot be split back out of its outputs. */
    private static final class NotBatchAligned extends RuntimeException {
        NotBatchAligned(String message) {
            super(message);
        }
    }

    /**
     * The rows of a request that may be batched: every input and output is declared with a variable first
     * dimension, and the inputs agree on it. 0 when the request runs alone.
     */
    private int batchRows(Resolved r, Map<String, HostTensor> decoded) {
        if (!batched(r)) {
            return 0;
        }
        int rows = decoded.values().iterator().next().rows();
        boolean agree = rows > 0 && decoded.values().stream().allMatch(t -> t.rows() == rows);
        return agree ? rows : 0;
    }

    private InferenceBatcher<RequestRow, RowResult> batcher(Resolved r) {
        return batchers.computeIfAbsent(r.sessionKey(), key -> new InferenceBatcher<>(
                r.model().model() + "-v" + r.version().version(), rows -> runBatch(r, rows),
                new InferenceBatcher.Shape<>(x -> 1, RequestRow::trailingShapes), limits(r), runs.executor()));
    }

    /** Whether calls to this version are batched: a batch size above 1 and a variable first dimension everywhere. */
    public boolean batched(Resolved r) {
        if (limits(r).maxBatchSize() < 2 || unbatchable.contains(r.sessionKey())) {
            return false;
        }
        return Stream.concat(r.version().inputs().stream(), r.version().outputs().stream())
                .allMatch(t -> t.shape() != null && !t.shape().isEmpty() && t.shape().get(0) < 0);
    }

    /** The deployment's own batching settings where the tenant set them, else this service's defaults. */
    public InferenceBatcher.Limits limits(Resolved r) {
        var defaults = config.tenantModels().batching();
        var v = r.version();
        return new InferenceBatcher.Limits(v.maxBatchSize() != null ? v.maxBatchSize() : defaults.maxBatchSize(),
                v.maxQueueDelayUs() != null ? Duration.ofNanos(v.maxQueueDelayUs() * 1000L) : defaults.maxQueueDelay(),
                Integer.MAX_VALUE, defaults.maxQueuedRequests());
    }

    /** Stacks the rows into one tensor per input, runs them in one call and hands each row its outputs. */
    private List<RowResult> runBatch(Resolved r, List<RequestRow> rows) {
        List<String> all = r.version().outputs().stream().map(DeployedModel.Tensor::name).toList();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (SessionCache.Lease lease = acquire(r)) {
            for (DeployedModel.Tensor spec : r.version().inputs()) {
                feed.put(spec.name(), HostTensor.stack(rows.stream()
                        .map(x -> new HostTensor.Row(x.inputs().get(spec.name()), x.index())).toList())
                        .toOnnx(ort.env()));
            }
            checkDeclaredOutputs(r, all);
            var timed = runs.run(describe(r), options -> {
                Map<String, TensorCodec.Output> outputs = new HashMap<>();
                try (OrtSession.Result result = lease.session().run(feed, new LinkedHashSet<>(all), options)) {
                    checkOutputs(r, result, all);
                    for (String name : all) {
                        TensorCodec.Output o = TensorCodec.fromValue(name, result.get(name).orElseThrow());
                        if (o.shape().isEmpty() || o.shape().get(0) != rows.size()) {
                            throw new NotBatchAligned("output '" + name + "' has shape " + o.shape() + " for "
                                    + rows.size() + " stacked rows");
                        }
                        outputs.put(name, o);
                    }
                }
                return outputs;
            });
            long share = timed.runNanos() / rows.size();
            return IntStream.range(0, rows.size()).mapToObj(i -> new RowResult(timed.value(), i, share)).toList();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** How calls to a tenant model version were batched; empty before its first batched call. */
    public Optional<BatchStats> batchStats(Resolved r) {
        return Optional.ofNullable(batchers.get(r.sessionKey())).map(InferenceBatcher::stats);
    }

    private void closeBatchers(Predicate<String> which) {
        synchronized (batchers) {
            batchers.entrySet().removeIf(e -> {
                if (which.test(e.getKey())) {
                    e.getValue().close();
                    return true;
                }
                return false;
            });
        }
    }

    /** Makes sure the session is loaded (for the protocol's readiness check). */
    public void warm(Resolved r) throws Exception {
        try (SessionCache.Lease ignored = acquire(r)) {
            // loaded and counted as used
        }
    }

    /** Runs {@code work} on the version's session, loading it first if needed; the session stays open meanwhile. */
    public <T> T withSession(Resolved r, SessionWork<T> work) throws Exception {
        try (SessionCache.Lease lease = acquire(r)) {
            return work.run(lease.session());
        }
    }

    /**
     * Runs a model call on the version's session as every tenant-model call runs: counted against the tenant's
     * share, on {@link TenantRuns}' pool, stopped at the time limit; the answer with the time it ran.
     */
    public <T> TenantRuns.Timed<T> run(Resolved r, SessionCall<T> call) throws Exception {
        try (TenantRuns.Permit ignored = runs.admit(r.model().tenantId());
                SessionCache.Lease lease = acquire(r)) {
            return runs.run(describe(r), options -> call.run(lease.session(), options));
        }
    }

    /** The pool tenant models run on: threads, queue and counters (operators' view). */
    public TenantRuns.Stats runStats() {
        return runs.stats();
    }

    private SessionCache.Lease acquire(Resolved r) throws Exception {
        return sessions.acquire(r.sessionKey(), () -> load(r));
    }

    private static List<String> wantedOutputs(Resolved r, JsonNode requested) {
        List<String> all = r.version().outputs().stream().map(DeployedModel.Tensor::name).toList();
        if (requested == null || !requested.isArray() || requested.isEmpty()) {
            return all;
        }
        List<String> wanted = new ArrayList<>();
        for (JsonNode o : requested) {
            String name = o.path("name").asText();
            if (!all.contains(name)) {
                throw new OipException(400, "unknown output '" + name + "'; " + r.model().model() + " gives " + all);
            }
            wanted.add(name);
        }
        return wanted;
    }

    private SessionCache.Loaded load(Resolved r) throws Exception {
        String key = r.sessionKey();
        long t0 = System.nanoTime();
        byte[] bytes;
        try (InputStream in = blobs.open(r.version().blobKey())) {
            bytes = in.readAllBytes();
        }
        String sha = sha256(bytes);
        if (!sha.equals(r.version().sha256())) {
            throw new IllegalStateException("artifact " + r.version().blobKey() + " has sha256 " + sha
                    + ", the registry recorded " + r.version().sha256() + "; refusing to serve it");
        }
        OrtSession session;
        try (var options = ort.tenantSessionOptions(config.tenantModels().runs().intraOpThreads())) {
            session = ort.env().createSession(bytes, options);
        }
        long estimate = (long) (bytes.length * config.tenantModels().sessionBytesPerModelByte())
                + config.tenantModels().sessionOverheadBytes();
        LOG.infof("tenant model %s loaded in %d ms (estimated %d bytes)", key, (System.nanoTime() - t0) / 1_000_000,
                estimate);
        return new SessionCache.Loaded(session, estimate);
    }

    /** Drops what is cached for a tenant's model after a change in the registry. */
    public void changed(UUID tenantId, String model, Integer version, boolean removed) {
        deployments.invalidate(tenantId, model);
        String prefix = tenantId + "/" + model + "/" + (version == null ? "" : version + "/");
        // A redeploy may carry new batching settings: the next call starts a batcher with them.
        closeBatchers(k -> k.startsWith(prefix));
        if (removed) {
            sessions.evictIf(k -> k.startsWith(prefix));
        }
    }

    /** The region's blob store, where the registry keeps the artifacts of tenant models. */
    public BlobStore blobs() {
        return blobs;
    }

    public SessionCache.Stats stats() {
        return sessions.stats();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
