package dev.meridian.inference.tenant;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.blob.BlobStoreSettings;
import dev.meridian.inference.config.InferenceConfig;
import dev.meridian.inference.rest.OipException;
import dev.meridian.inference.runtime.OrtRuntime;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Serves tenants' deployed ONNX models: finds the deployment (tenant id + name, never across tenants), loads the
 * artifact from the region's blob store with its sha256 verified, keeps the session in the memory-aware
 * {@link SessionCache}, and runs calls on it.
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

    private BlobStore blobs;
    private SessionCache sessions;

    @PostConstruct
    void init() throws IOException {
        var t = config.tenantModels();
        var b = t.blobs();
        var s3 = b.s3();
        blobs = new BlobStoreSettings("meridian.inference.tenant-models.blobs", b.store(), Path.of(b.directory()),
                s3.endpoint(), s3.bucket(), s3.signingRegion(), s3.accessKeyId(), s3.secretAccessKey()).open();
        sessions = new SessionCache(t.sessionBudgetBytes());
    }

    void stop(@Observes ShutdownEvent event) {
        sessions.close();
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

    /** Runs one call; outputs in the order the model declares them. */
    public List<TensorCodec.Output> infer(Resolved r, JsonNode request) throws Exception {
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
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (SessionCache.Lease lease = acquire(r)) {
            for (DeployedModel.Tensor spec : r.version().inputs()) {
                JsonNode input = given.get(spec.name());
                if (input == null) {
                    throw new OipException(400, "missing input '" + spec.name() + "' (" + spec.datatype() + ", shape "
                            + spec.shape() + ")");
                }
                feed.put(spec.name(), TensorCodec.toTensor(ort.env(), spec, input));
            }
            try (OrtSession.Result result = lease.session().run(feed, new java.util.LinkedHashSet<>(wanted))) {
                List<TensorCodec.Output> out = new ArrayList<>();
                for (String name : wanted) {
                    OnnxValue value = result.get(name).orElseThrow();
                    out.add(TensorCodec.fromValue(name, value));
                }
                return out;
            } catch (OrtException e) {
                throw new OipException(400, "the model could not run on these inputs: " + e.getMessage());
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
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
        try (var options = ort.sessionOptions()) {
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
        if (removed) {
            String prefix = tenantId + "/" + model + "/" + (version == null ? "" : version + "/");
            sessions.evictIf(k -> k.startsWith(prefix));
        }
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
