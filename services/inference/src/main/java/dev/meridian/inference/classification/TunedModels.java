package dev.meridian.inference.classification;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.inference.runtime.OrtRuntime;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import dev.meridian.inference.config.InferenceConfig;
import org.jboss.logging.Logger;

/**
 * Fine-tuned classifiers (the one ONNX file a fine-tuning job exports: backbone, pooling, head, softmax), opened from
 * the region's blob store under the calling tenant's own folder, so a tenant can only ever load its own. The most
 * recently used sessions stay open.
 */
@ApplicationScoped
public class TunedModels {

    private static final Logger LOG = Logger.getLogger(TunedModels.class);
    static final String LABELS_KEY = "meridian.labels";

    /** An open tuned model: its session, label names in output order, and whether it takes token type ids. */
    public record Tuned(FineTuneModelName name, OrtSession session, List<String> labels, boolean wantsTypeIds) {
    }

    private record Key(UUID tenant, String jobId) {
    }

    @Inject
    OrtRuntime ort;
    @Inject
    ObjectMapper json;

    @Inject
    InferenceConfig config;

    private final Map<Key, Tuned> open = new LinkedHashMap<>(16, 0.75f, true);

    public Optional<Tuned> find(UUID tenant, FineTuneModelName name) {
        var key = new Key(tenant, name.jobId());
        synchronized (open) {
            Tuned t = open.get(key);
            if (t != null) {
                return Optional.of(t);
            }
        }
        Path file = Path.of(config.finetune().blobDir()).resolve(FineTuneBlobs.model(tenant, name.jobId())).normalize();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            OrtSession session = ort.env().createSession(Files.readAllBytes(file), ort.sessionOptions());
            var meta = session.getMetadata().getCustomMetadata();
            String base = meta.get("meridian.base_model");
            if (!name.baseModel().equals(base)) {
                session.close();
                return Optional.empty(); // the name's base does not match the stored model: not this model
            }
            List<String> labels = List.of(json.readValue(meta.get(LABELS_KEY), String[].class));
            var tuned = new Tuned(name, session, labels, session.getInputNames().contains("token_type_ids"));
            synchronized (open) {
                Tuned raced = open.putIfAbsent(key, tuned);
                if (raced != null) {
                    session.close();
                    return Optional.of(raced);
                }
                evict();
            }
            LOG.infof("tuned model %s of tenant %s opened (%d labels)", name, tenant, labels.size());
            return Optional.of(tuned);
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("cannot open tuned model " + name + ": " + e.getMessage(), e);
        }
    }

    private void evict() {
        while (open.size() > config.finetune().maxOpen()) {
            var eldest = open.entrySet().iterator().next();
            open.remove(eldest.getKey());
            close(eldest.getValue());
        }
    }

    private static void close(Tuned t) {
        try {
            t.session().close();
        } catch (OrtException e) {
            LOG.warnf("closing %s: %s", t.name(), e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        synchronized (open) {
            open.values().forEach(TunedModels::close);
            open.clear();
        }
    }
}
