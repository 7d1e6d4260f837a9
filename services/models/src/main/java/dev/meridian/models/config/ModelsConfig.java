package dev.meridian.models.config;

import dev.meridian.common.blob.BlobStoreConfig;
import dev.meridian.common.outbox.OutboxPurgeConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of a regional models service ({@code meridian.models.*}). */
@ConfigMapping(prefix = "meridian.models")
public interface ModelsConfig {

    /** The region this instance serves; it stores only artifacts of tenants homed here. */
    @WithDefault("eu-central")
    String region();

    Registry registry();

    /**
     * The region's blob store: model artifacts, upload parts, fine-tuning datasets, checkpoints and tuned models. The
     * region's inference services and fine-tuning workers must name the same store. The filesystem store defaults to
     * {@code .platform/blobs/<region>}.
     */
    BlobStoreConfig blobs();

    StorageMetering storageMetering();

    Outbox outbox();

    /**
     * The purge of the service's outboxes ({@code registry_outbox}, {@code finetune_outbox}): published messages are
     * deleted once older than {@code retention}; unpublished ones are never purged.
     */
    interface Outbox extends OutboxPurgeConfig {
    }

    /**
     * Daily metering of stored model bytes ({@code stored_model_bytes}, byte-days) to {@code usage.events}: after each
     * UTC day ends, each tenant's bytes of stored model versions at that moment are billed for it, once per region.
     */
    interface StorageMetering {
        /** Whether this replica meters (any number of replicas may; a day is metered once). */
        @WithDefault("true")
        boolean enabled();

        /** How often a replica checks whether the day that ended is metered yet. */
        @WithDefault("10m")
        Duration checkInterval();
    }

    /** Tenant ONNX models: what an upload must satisfy before it becomes a version. */
    interface Registry {
        /** Largest model file accepted, in bytes (413 above it). The HTTP body limit must be a little larger. */
        @WithDefault("209715200")
        long maxModelBytes();

        /** Lowest default-domain ({@code ai.onnx}) opset accepted. */
        @WithDefault("7")
        int minOpset();

        /** Highest default-domain opset accepted: the newest the serving ONNX Runtime (1.23) implements. */
        @WithDefault("23")
        int maxOpset();

        /** Names tenants may not take: the base models every tenant already sees. */
        @WithDefault("all-minilm-l6-v2,all-minilm-l6-v2-q,bge-small-en-v1.5,bge-small-en-v1.5-q,bge-small-zh-v1.5-q")
        List<String> baseModels();

        Trial trial();

        Uploads uploads();
    }

    /** The trial run of an upload on zero tensors, in a child JVM that is killed when it exceeds its limits. */
    interface Trial {
        /** Wall-clock limit of the whole trial, JVM start included. */
        @WithDefault("30s")
        Duration timeout();

        /** Java heap of the trial JVM ({@code -Xmx}), in MiB. */
        @WithDefault("128")
        int heapMib();

        /** Virtual address space of the trial process ({@code ulimit -v}), in MiB: bounds ONNX Runtime's native memory. */
        @WithDefault("4096")
        int addressSpaceMib();
    }

    /** Resumable uploads ({@code /v1/uploads}). */
    interface Uploads {
        /** How long an upload may stay pending before it expires and its parts are deleted. */
        @WithDefault("1h")
        Duration expiry();

        /** How often expired uploads are swept. */
        @WithDefault("1m")
        Duration sweepInterval();

        /** Largest single part, in bytes. */
        @WithDefault("67108864")
        long maxPartBytes();
    }
}
