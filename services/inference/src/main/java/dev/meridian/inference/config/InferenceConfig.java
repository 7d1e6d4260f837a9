package dev.meridian.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
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

    Batching batching();

    FineTune finetune();

    /** Fine-tuned classifiers served by {@code /v1/classifications}. */
    interface FineTune {
        /** The region's blob store root, shared with the models service and the workers. */
        @WithDefault(".platform/blobs/eu-central")
        String blobDir();

        /** How many tuned models stay open at once; the least recently used is closed beyond it. */
        @WithDefault("16")
        int maxOpen();
    }

    interface Batching {
        /** Most texts merged into one model call. */
        @WithDefault("32")
        int maxBatchSize();

        /** How long the first request of a batch may wait for others to join it. */
        @WithDefault("2ms")
        Duration maxQueueDelay();

        /** Most padded tokens (batch size × longest sequence) in one call, to bound memory and latency. */
        @WithDefault("16384")
        int maxBatchTokens();
    }
}
