package dev.meridian.inference.catalog;

import dev.meridian.common.models.BaseModel;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.inference.batching.InferenceBatcher;
import dev.meridian.inference.config.InferenceConfig;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.runtime.TextEmbedder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** The models this regional service serves, loaded at start, each behind its own batcher. */
@ApplicationScoped
public class ModelHost {

    private static final Logger LOG = Logger.getLogger(ModelHost.class);

    /** A loaded model: its description, the in-process embedder and the batcher in front of it. */
    public record Loaded(BaseModel model, TextEmbedder embedder, InferenceBatcher<Tokens, float[]> batcher) {
    }

    @Inject
    InferenceConfig config;
    @Inject
    OrtRuntime ort;
    @ConfigProperty(name = "meridian.inference.models", defaultValue = "all")
    List<String> wanted;

    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private volatile boolean ready;

    void start(@Observes StartupEvent event) throws Exception {
        for (BaseModel m : BaseModel.CATALOG) {
            if (!m.regions().contains(config.region()) || !(wanted.contains("all") || wanted.contains(m.id()))) {
                continue;
            }
            long t0 = System.nanoTime();
            var embedder = new TextEmbedder(m, ort.env(), ort.sessionOptions());
            loaded.put(m.id(), new Loaded(m, embedder,
                    InferenceBatcher.forText(embedder, ort, config.batching().limitsFor(m.id()))));
            LOG.infof("model %s loaded in %d ms", m.id(), (System.nanoTime() - t0) / 1_000_000);
        }
        ready = true;
    }

    void stop(@Observes ShutdownEvent event) {
        loaded.values().forEach(l -> {
            l.batcher().close();
            l.embedder().close();
        });
    }

    public Optional<Loaded> find(String id) {
        return Optional.ofNullable(loaded.get(id));
    }

    public List<BaseModel> models() {
        return BaseModel.CATALOG.stream().filter(m -> loaded.containsKey(m.id())).toList();
    }

    public boolean ready() {
        return ready;
    }
}
