package dev.meridian.inference.config;

import dev.meridian.common.blob.BlobStoreConfig;
import io.smallrye.config.ConfigMapping;
import dev.meridian.inference.batching.InferenceBatcher;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of a regional inference service ({@code meridian.inference.*}). */
@ConfigMapping(prefix = "meridian.inference")
public interface InferenceConfig {

    /** The region this service runs in; only base models offered here are loaded. */
    @WithDefault("eu-central")
    String region();

    /** {@code auto} (CUDA when ONNX Runtime has it and a GPU answers, else CPU), {@code cpu} or {@code cuda}. */
    @WithDefault("auto")
    String executionProvider();

    /** Threads one ONNX Runtime call may use; default: the machine's cores. Batches run one at a time per model. */
    Optional<Integer> intraOpThreads();

    /**
     * Model calls that may run at once across all models; default: cores / intra-op threads on CPU (1 with the
     * defaults), 4 on CUDA. Calls beyond it wait in arrival order.
     */
    Optional<Integer> concurrentRuns();

    Batching batching();

    TenantModels tenantModels();

    Generation generation();

    /**
     * Tenants' generative models ({@code /v1/chat/completions}, {@code /v1/completions}): one engine per loaded
     * version, each with its own scheduler thread, running batch and KV cache budget.
     */
    interface Generation {
        /**
         * KV cache bytes the sequences of one model version may reserve together; a sequence reserves (prompt +
         * max_tokens) × the model's bytes per token when accepted. A request that does not fit now is refused with
         * 429 and {@code Retry-After}; one larger than the whole budget with 400.
         */
        @WithDefault("536870912")
        long kvBudgetBytes();

        /** Most sequences in one decode step of a model version. */
        @WithDefault("16")
        int maxBatchSize();

        /** Sequences that may wait for a batch slot of one model version; one more is refused with 429. */
        @WithDefault("64")
        int maxQueued();

        /**
         * Whether waiting sequences join a running batch between decode steps (continuous batching); false: only
         * once the batch has emptied (static batching, for comparison).
         */
        @WithDefault("true")
        boolean continuousBatching();

        /**
         * With continuous batching, the most decode steps a waiting sequence waits for others to join the running
         * batch with it (joining copies the batch's whole KV cache, so joiners are gathered; enough of them join at
         * once): extra time to first token for fewer copies. 0 joins every sequence at once. The default, 1, measured
         * best (docs/benchmarks.md): a regroup copies each row once, in bulk, so waiting 8 steps saved too little
         * to pay for 5× the time to first token.
         */
        @WithDefault("1")
        int joinWaitSteps();

        /** Most choices one request may ask for ({@code n}, times the prompts of a completions request). */
        @WithDefault("8")
        int maxChoices();

        /**
         * Generative model versions loaded at once (each holds its session, tokenizer and scheduler thread); the
         * least recently used one beyond it is unloaded, its running requests cancelled.
         */
        @WithDefault("8")
        int maxLoaded();

        /** Intra-op threads of one decode step. */
        @WithDefault("2")
        int intraOpThreads();
    }

    interface Batching {
        /** Most texts merged into one model call. */
        @WithDefault("32")
        int maxBatchSize();

        /**
         * How long the first request of a batch waits for others to join it before the call starts. 0 (the default)
         * is continuous batching: an idle model runs a request at once, and what arrives while a call runs forms the
         * next call. A delay only fills batches a little more at moderate load, at the price of every lone request.
         */
        @WithDefault("0ms")
        Duration maxQueueDelay();

        /** Most padded tokens (batch size × longest sequence) in one call, to bound memory and latency. */
        @WithDefault("16384")
        int maxBatchTokens();

        /**
         * Requests that may wait for one base model's next call; one more is refused with 503 and
         * {@code Retry-After}, so a burst cannot grow the queue (and the memory of its tokenized texts) without bound.
         */
        @WithDefault("1024")
        int maxQueuedRequests();

        /**
         * Settings of one base model that differ from the ones above, e.g.
         * {@code meridian.inference.batching.model."bge-small-en-v1.5".max-batch-size=64}.
         */
        @WithName("model")
        Map<String, ModelBatching> models();

        /** The limits for a base model: its own settings where it has them, else the defaults above. */
        default InferenceBatcher.Limits limitsFor(String model) {
            var own = models().get(model);
            if (own == null) {
                return new InferenceBatcher.Limits(maxBatchSize(), maxQueueDelay(), maxBatchTokens(),
                        maxQueuedRequests());
            }
            return new InferenceBatcher.Limits(own.maxBatchSize().orElse(maxBatchSize()),
                    own.maxQueueDelay().orElse(maxQueueDelay()), own.maxBatchTokens().orElse(maxBatchTokens()),
                    maxQueuedRequests());
        }
    }

    /** One model's batching settings; what is left out comes from the defaults. */
    interface ModelBatching {
        Optional<Integer> maxBatchSize();

        Optional<Duration> maxQueueDelay();

        Optional<Integer> maxBatchTokens();
    }

    /**
     * Dynamic batching of tenant models whose inputs and outputs all have a variable first (batch) dimension: rows
     * of concurrent requests with the same trailing shapes are stacked into one call. A deployment may set its own
     * size and delay in the registry.
     */
    interface TenantBatching {
        /** Most rows in one call; 1 turns batching of tenant models off. */
        @WithDefault("32")
        int maxBatchSize();

        /**
         * How long the first request of a batch waits for others (a deployment may set its own,
         * {@code max_queue_delay_ms}); 0, the default, is continuous batching, as for base models.
         */
        @WithDefault("0ms")
        Duration maxQueueDelay();

        /** Requests that may wait for one version's next batched call; one more is refused with 503. */
        @WithDefault("256")
        int maxQueuedRequests();

        /**
         * Versions that keep a batcher (its queue and statistics) at once; the least recently used beyond it is
         * dropped, and its next call starts a new one.
         */
        @WithDefault("1000")
        int maxBatchers();
    }

    /**
     * Where tenant models run: never on the base models' batchers or their {@code RunGate}, but on a pool of their
     * own with a bounded queue, a time limit per call and a cap on what a call may answer, so a model whose work
     * depends on its inputs (a {@code Loop} trip count, a {@code ConstantOfShape} fed by an input) cannot stall or
     * starve base-model embeddings.
     */
    interface Runs {
        /** Tenant model calls that run at once, across all tenants. Default: half the cores, at least 1. */
        Optional<Integer> threads();

        /** Intra-op threads of one tenant model call; with {@code threads} it bounds the cores tenant models use. */
        @WithDefault("1")
        int intraOpThreads();

        /** Calls that may wait for a free thread; one more is refused with 503 and {@code Retry-After}. */
        @WithDefault("64")
        int maxQueued();

        /**
         * Calls of one tenant running or waiting at once; one more is refused with 429 and {@code Retry-After}, so
         * one tenant cannot take every thread and the whole queue.
         */
        @WithDefault("8")
        int maxPerTenant();

        /**
         * Longest one call may run in ONNX Runtime; it is then stopped ({@code RunOptions.setTerminate}) and
         * answered 504 naming this limit. The time waiting for a thread does not count.
         */
        @WithDefault("10s")
        Duration timeLimit();

        /**
         * Most bytes the outputs of one call may hold (elements × element size; strings by their UTF-8 length);
         * a larger answer is refused with 422 naming this limit, before it is copied out of ONNX Runtime.
         */
        @WithDefault("67108864")
        long maxOutputBytes();
    }

    /**
     * Serving tenants' own ONNX models, deployed through the region's model registry; fine-tuned classifiers
     * ({@code /v1/classifications}) are tenant models too, so without a registry they are not served either.
     */
    interface TenantModels {
        /**
         * Base URL of the region's models service (its {@code /internal/v1} API, with this service's token). Without
         * it only the base models are served.
         */
        Optional<String> registryUrl();

        /** How long a deployment looked up in the registry is trusted; change events drop it sooner. */
        @WithDefault("30s")
        Duration cacheTtl();

        /**
         * Deployments kept in the cache at once (least recently used go first). Only deployed models are cached:
         * a name the registry does not know creates no entry, so callers cannot grow the cache with made-up names;
         * concurrent lookups of one name share one registry call, and the gateway's rate limit bounds the rest.
         */
        @WithDefault("10000")
        int maxCachedDeployments();

        /** Memory the sessions of tenant models may take together, in bytes; least recently used go first. */
        @WithDefault("2147483648")
        long sessionBudgetBytes();

        /** Estimated session memory per byte of model file (weights plus ONNX Runtime's arenas and plans). */
        @WithDefault("2.0")
        double sessionBytesPerModelByte();

        /** Fixed estimated memory of any session on top of its weights. */
        @WithDefault("1048576")
        long sessionOverheadBytes();

        /**
         * The region's blob store, where the registry keeps model artifacts (the same settings as the registry's); the
         * filesystem store defaults to {@code .platform/blobs/<region>}.
         */
        BlobStoreConfig blobs();

        TenantBatching batching();

        Runs runs();
    }
}
