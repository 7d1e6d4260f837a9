package dev.meridian.inference.classification;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.inference.runtime.TenantRuns;
import dev.meridian.inference.tenant.TenantModels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fine-tuned classifiers (the one ONNX file a job exports: backbone, pooling, head, softmax) as the model registry
 * deploys them: a job registers its model as a version of the tenant's model {@code ft:<base>:<suffix>:<job-id>}, and
 * it is served through {@link TenantModels} like any tenant model — the tenant's own deployment, the shared session
 * LRU, and undeploy or delete on {@code <region>.models.changes} stopping it within about a second.
 */
@ApplicationScoped
public class TunedModels {

    static final String LABELS_KEY = "meridian.labels";
    static final String BASE_MODEL_KEY = "meridian.base_model";

    /** A deployed tuned model: the version to run, its labels in output order, whether it takes token type ids. */
    public record Tuned(FineTuneModelName name, TenantModels.Resolved version, List<String> labels,
            boolean wantsTypeIds) {
    }

    private record Signature(String baseModel, List<String> labels, boolean wantsTypeIds) {
    }

    @Inject
    TenantModels models;
    @Inject
    ObjectMapper json;

    /** Read once per version: the session key names the content hash, so an entry never goes stale. */
    private final Map<String, Signature> signatures = new ConcurrentHashMap<>();

    /** The newest deployed version of the caller's tuned model; empty when it is not deployed (or not theirs). */
    public Optional<Tuned> find(UUID tenant, FineTuneModelName name) throws Exception {
        var deployed = models.find(tenant, name.toString());
        if (deployed.isEmpty()) {
            return Optional.empty();
        }
        var version = deployed.get();
        Signature sig = signatures.get(version.sessionKey());
        if (sig == null) {
            sig = models.withSession(version, this::signature);
            if (signatures.size() > 10_000) {
                signatures.clear();
            }
            signatures.put(version.sessionKey(), sig);
        }
        if (sig.labels() == null) {
            throw ApiException.of(400, "not_a_classifier", "model", "The model '" + name + "' (version "
                    + version.version().version() + ") carries no " + LABELS_KEY + " metadata, so it is not a"
                    + " classifier made by a fine-tuning job; call it over /v2/models/{model}/infer instead.");
        }
        if (!name.baseModel().equals(sig.baseModel())) {
            return Optional.empty(); // the name's base does not match the stored model: not this model
        }
        return Optional.of(new Tuned(name, version, sig.labels(), sig.wantsTypeIds()));
    }

    /**
     * Runs the model's session with the inputs given, as every tenant model runs (its own pool, the time limit);
     * {@code probabilities} per input, with the time the model ran.
     */
    public TenantRuns.Timed<float[][]> run(Tuned model, TenantModels.SessionCall<float[][]> call) throws Exception {
        return models.run(model.version(), call);
    }

    private Signature signature(OrtSession session) throws Exception {
        var meta = session.getMetadata().getCustomMetadata();
        String labels = meta.get(LABELS_KEY);
        return new Signature(meta.get(BASE_MODEL_KEY),
                labels == null ? null : List.of(json.readValue(labels, String[].class)),
                session.getInputNames().contains("token_type_ids"));
    }
}
