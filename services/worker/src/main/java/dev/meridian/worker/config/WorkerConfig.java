package dev.meridian.worker.config;

import dev.meridian.common.blob.BlobStoreConfig;
import dev.meridian.common.blob.BlobStoreSettings;
import dev.meridian.common.kafka.KafkaConnection;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Settings of a worker ({@code meridian.worker.*}), as system properties ({@code -Dmeridian.worker.region=...}),
 * environment variables ({@code MERIDIAN_WORKER_REGION=...}, {@code MERIDIAN_WORKER_BLOBS_S3_BUCKET=...}) or
 * application.properties. Its HTTP port (health at {@code /q/health}, metrics at {@code /q/metrics}) is Quarkus'
 * {@code quarkus.http.port}.
 */
@ConfigMapping(prefix = "meridian.worker")
public interface WorkerConfig {

    /** The region whose jobs this worker runs. */
    @WithDefault("eu-central")
    String region();

    /** The region's Kafka. */
    @WithDefault("localhost:19092")
    String kafkaBootstrap();

    /**
     * {@code SASL_PLAINTEXT}, or {@code SASL_SSL} where the cluster has TLS; {@code PLAINTEXT} only for a cluster
     * without authentication, when no password is needed.
     */
    @WithDefault("SASL_PLAINTEXT")
    String kafkaSecurityProtocol();

    /** The worker's own Kafka principal. */
    @WithDefault("worker")
    String kafkaUsername();

    /** The password of {@link #kafkaUsername()}; required unless the protocol is {@code PLAINTEXT}. */
    Optional<String> kafkaPassword();

    /** The CA certificates (PEM) of a cluster with its own CA. */
    Optional<String> kafkaTruststoreCertificates();

    /** The region's blob store, the same one its models and inference services name, configured like theirs. */
    /** {@code meridian.worker.blobs.*}; the filesystem store defaults to {@code .platform/blobs/<region>}. */
    BlobStoreConfig blobs();

    /** Names this worker in events and usage; default host and pid. */
    Optional<String> id();

    /** The consumer group of the region's workers; default {@code meridian-worker-<region>}. */
    Optional<String> group();

    /** {@code auto} (CUDA when present, else CPU), {@code cpu} or {@code cuda}. */
    @WithDefault("auto")
    String executionProvider();

    /** Threads of one ONNX Runtime call; default the cores. */
    OptionalInt intraOpThreads();

    /**
     * How long the group waits for a silent worker (killed, hung) before another takes its job; the broker's minimum
     * is 6s.
     */
    @WithDefault("10s")
    Duration sessionTimeout();

    /**
     * How long a stopping worker (SIGTERM) lets its running job go on to its next checkpoint (an epoch's end or a
     * saved chunk of embeddings) before it stops the job where it is; either way the job goes on at another worker
     * from its checkpoints. Keep it below the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds).
     */
    @WithDefault("20s")
    Duration checkpointGrace();

    /** The Kafka connection as the worker's principal; says which setting to set when the password is missing. */
    default KafkaConnection kafka() {
        String protocol = kafkaSecurityProtocol();
        if (kafkaPassword().isEmpty() && !protocol.equalsIgnoreCase("PLAINTEXT")) {
            throw new IllegalArgumentException("the worker connects to Kafka as its own principal: set its password "
                    + "in meridian.worker.kafka-password (or MERIDIAN_WORKER_KAFKA_PASSWORD)");
        }
        var scram = KafkaConnection.scram(kafkaBootstrap(), protocol, kafkaUsername(), kafkaPassword().orElse(null));
        return kafkaTruststoreCertificates().map(scram::trusting).orElse(scram);
    }

    default BlobStoreSettings blobStore() {
        return blobs().settings("meridian.worker.blobs", Path.of(".platform/blobs/" + region()));
    }

    default String workerId() {
        return id().orElseGet(() -> ManagementFactory.getRuntimeMXBean().getName());
    }

    default String consumerGroup() {
        return group().orElse("meridian-worker-" + region());
    }

    default int onnxThreads() {
        return intraOpThreads().orElse(Runtime.getRuntime().availableProcessors());
    }
}
