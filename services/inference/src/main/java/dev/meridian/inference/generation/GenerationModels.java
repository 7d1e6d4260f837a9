package dev.meridian.inference.generation;

import ai.onnxruntime.OrtSession;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.common.models.ChatTemplate;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.common.tenant.Caller;
import dev.meridian.inference.catalog.ModelHost;
import dev.meridian.inference.config.InferenceConfig;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.tenant.Deployments;
import dev.meridian.inference.tenant.TenantModels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.jboss.logging.Logger;

/**
 * Tenants' generative models: finds the deployed version a completion names (the caller's own, never another
 * tenant's), loads its decoder and tokenizer from the region's blob store with their sha256 verified, and keeps a
 * {@link GenerationEngine} per loaded version, at most {@code generation.max-loaded} of them, the least recently used
 * unloaded first. Gauges sum over the loaded engines, so their labels name no tenant or model.
 */
@ApplicationScoped
public class GenerationModels {

    private static final Logger LOG = Logger.getLogger(GenerationModels.class);

    /** A generative version ready to serve: its engine, and its chat template where it has a usable one. */
    public record Loaded(String model, GenerationEngine engine, Optional<ChatTemplate> template,
            Optional<String> templateProblem) {
    }

    @Inject
    InferenceConfig config;
    @Inject
    TenantModels tenantModels;
    @Inject
    ModelHost host;
    @Inject
    OrtRuntime ort;
    @Inject
    MeterRegistry meters;

    /** Access-ordered: the least recently used first. */
    private final LinkedHashMap<String, CompletableFuture<Loaded>> loaded = new LinkedHashMap<>(16, 0.75f, true);

    @PostConstruct
    void init() {
        gauge("meridian.generation.sequences.running", "Sequences in the running batches", s -> s.running());
        gauge("meridian.generation.sequences.queued", "Sequences waiting for a batch slot", s -> s.queued());
        gauge("meridian.generation.kv.reserved.bytes", "KV cache bytes reserved by running and waiting sequences",
                GenerationEngine.Stats::kvReservedBytes);
        gauge("meridian.generation.kv.cache.bytes", "Bytes the running batches' KV cache tensors hold",
                GenerationEngine.Stats::kvCacheBytes);
        Gauge.builder("meridian.generation.models.loaded", this, m -> m.engines().size())
                .description("Generative model versions loaded").register(meters);
    }

    private void gauge(String name, String description, ToLongFunction<GenerationEngine.Stats> value) {
        Gauge.builder(name, this, m -> m.engines().stream().mapToLong(e -> value.applyAsLong(e.stats())).sum())
                .description(description).register(meters);
    }

    void stop(@Observes ShutdownEvent event) {
        close(k -> true);
    }

    /** The engines loaded now. */
    public List<GenerationEngine> engines() {
        List<CompletableFuture<Loaded>> all;
        synchronized (this) {
            all = new ArrayList<>(loaded.values());
        }
        return all.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).map(f -> f.join().engine())
                .toList();
    }

    /**
     * The caller's generative model named {@code modelId}, loaded. Blocks (registry lookup, first load).
     *
     * @throws ApiException 404 for a model the caller does not have, 400 for one that is not generative (saying which
     *         route serves it), 503 when the registry cannot be asked
     */
    public Loaded find(Optional<Caller> caller, String modelId) {
        if (host.find(modelId).isPresent()) {
            throw ApiException.of(400, "model_not_generative", "model", "The model '" + modelId + "' is an"
                    + " embedding model, not a generative one: use POST /v1/embeddings.");
        }
        if (caller.isEmpty() || !tenantModels.enabled()) {
            throw notFound(modelId);
        }
        Optional<TenantModels.Resolved> found;
        try {
            found = tenantModels.find(caller.get().tenantId(), modelId);
        } catch (Deployments.RegistryUnavailable e) {
            throw ApiException.of(503, "registry_unavailable", null, "The model registry cannot be reached to look"
                    + " up '" + modelId + "'; retry shortly.");
        }
        var r = found.orElseThrow(() -> notFound(modelId));
        if (!r.version().generative()) {
            throw ApiException.of(400, "model_not_generative", "model", "The model '" + modelId + "' is not a"
                    + " generative model: " + (FineTuneModelName.parse(modelId).isPresent()
                            ? "it is a fine-tuned classifier, use POST /v1/classifications."
                            : "run it with POST /v2/models/" + modelId + "/infer."));
        }
        return load(r);
    }

    static ApiException notFound(String id) {
        return ApiException.of(404, "model_not_found", "model", "The model '" + id + "' does not exist or you do"
                + " not have access to it.");
    }

    private Loaded load(TenantModels.Resolved r) {
        String key = r.sessionKey();
        CompletableFuture<Loaded> future;
        boolean mine = false;
        List<CompletableFuture<Loaded>> evicted = new ArrayList<>();
        synchronized (this) {
            future = loaded.get(key);
            if (future == null) {
                future = new CompletableFuture<>();
                loaded.put(key, future);
                mine = true;
                var it = loaded.entrySet().iterator();
                while (loaded.size() > config.generation().maxLoaded() && it.hasNext()) {
                    var eldest = it.next();
                    if (eldest.getValue() != future) {
                        evicted.add(eldest.getValue());
                        it.remove();
                    }
                }
            }
        }
        evicted.forEach(GenerationModels::closeWhenLoaded);
        if (mine) {
            try {
                future.complete(open(r));
            } catch (Exception | Error e) {
                synchronized (this) {
                    loaded.remove(key, future);
                }
                future.completeExceptionally(e);
            }
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            LOG.errorf(e.getCause(), "generative model %s could not be loaded", key);
            throw ApiException.of(503, "model_unavailable", "model", "The model '" + r.model().model() + "' could"
                    + " not be loaded: " + e.getCause().getMessage());
        }
    }

    private Loaded open(TenantModels.Resolved r) throws Exception {
        GenerationSpec spec = r.version().generation();
        long t0 = System.nanoTime();
        byte[] onnx = verified(r.version().blobKey(), r.version().sha256());
        byte[] tokenizerJson = verified(spec.tokenizerBlobKey(), spec.tokenizerSha256());
        var g = config.generation();
        OrtSession session;
        try (var options = ort.tenantSessionOptions(g.intraOpThreads())) {
            session = ort.env().createSession(onnx, options);
        }
        TextTokenizer tokenizer;
        try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
            tokenizer = TextTokenizer.of(in, spec);
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        Optional<ChatTemplate> template = Optional.empty();
        Optional<String> problem = Optional.empty();
        if (spec.chatTemplate() != null) {
            try {
                template = Optional.of(ChatTemplate.of(spec.chatTemplate()));
            } catch (ChatTemplate.TemplateException e) {
                problem = Optional.of(e.getMessage());
            }
        }
        String name = r.model().model() + "-v" + r.version().version();
        var engine = new GenerationEngine(name, ort.env(), session, tokenizer, spec, new GenerationSettings(
                g.kvBudgetBytes(), g.maxBatchSize(), g.maxQueued(), g.continuousBatching(), g.joinWaitSteps()),
                meters);
        LOG.infof("generative model %s loaded in %d ms", r.sessionKey(), (System.nanoTime() - t0) / 1_000_000);
        return new Loaded(r.model().model(), engine, template, problem);
    }

    private byte[] verified(String key, String sha256) throws IOException {
        byte[] bytes;
        try (InputStream in = tenantModels.blobs().open(key)) {
            bytes = in.readAllBytes();
        }
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!sha.equalsIgnoreCase(sha256)) {
            throw new IllegalStateException("blob " + key + " has sha256 " + sha + ", the registry recorded "
                    + sha256 + "; refusing to serve it");
        }
        return bytes;
    }

    /** Unloads what is loaded of a tenant's model after a change in the registry (an undeploy or a delete). */
    public void changed(UUID tenantId, String model, Integer version, boolean removed) {
        if (removed) {
            String prefix = tenantId + "/" + model + "/" + (version == null ? "" : version + "/");
            close(k -> k.startsWith(prefix));
        }
    }

    private void close(Predicate<String> which) {
        List<CompletableFuture<Loaded>> gone = new ArrayList<>();
        synchronized (this) {
            var it = loaded.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, CompletableFuture<Loaded>> e = it.next();
                if (which.test(e.getKey())) {
                    gone.add(e.getValue());
                    it.remove();
                }
            }
        }
        gone.forEach(GenerationModels::closeWhenLoaded);
    }

    private static void closeWhenLoaded(CompletableFuture<Loaded> future) {
        future.thenAccept(l -> l.engine().close());
    }
}
