package dev.meridian.worker.config;

import dev.meridian.common.blob.BlobStoreSettings;
import dev.meridian.common.kafka.KafkaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of a worker, from system properties ({@code -Dmeridian.worker.region=...}) or, failing those, environment
 * variables ({@code MERIDIAN_WORKER_REGION=...}, {@code MERIDIAN_WORKER_BLOBS_S3_BUCKET=...}).
 *
 * @param region the region whose jobs this worker runs ({@code meridian.worker.region}, default eu-central)
 * @param kafka the region's Kafka ({@code meridian.worker.kafka-bootstrap}, default localhost:19092), reached as the
 *         worker's own principal: {@code meridian.worker.kafka-username} (default {@code worker}) with the password
 *         {@code meridian.worker.kafka-password} over {@code meridian.worker.kafka-security-protocol} ({@code
 *         SASL_PLAINTEXT} by default, {@code SASL_SSL} where the cluster has TLS; {@code PLAINTEXT} only for a cluster
 *         without authentication, when no password is needed); a cluster with its own CA is trusted through
 *         {@code meridian.worker.kafka-truststore-certificates} (the CA certificates, PEM)
 * @param blobs the region's blob store, the same one its models and inference services name, configured like the
 *         registry's: {@code meridian.worker.blobs.store} ({@code filesystem}, default, or {@code s3}),
 *         {@code meridian.worker.blobs.directory} (default .platform/blobs/&lt;region&gt;), and for s3
 *         {@code meridian.worker.blobs.s3.{endpoint,bucket,signing-region,access-key-id,secret-access-key}}
 * @param workerId names this worker in events and usage ({@code meridian.worker.id}, default host and pid)
 * @param group the consumer group of the region's workers ({@code meridian.worker.group})
 * @param executionProvider {@code auto} (CUDA when present, else CPU), {@code cpu} or {@code cuda}
 * @param intraOpThreads threads of one ONNX Runtime call ({@code meridian.worker.intra-op-threads}, default cores)
 * @param sessionTimeout how long the group waits for a silent worker (killed, hung) before another takes its job
 *         ({@code meridian.worker.session-timeout}, default 10s; the broker's minimum is 6s)
 * @param epochPause a pause after each epoch's checkpoint ({@code meridian.worker.epoch-pause}, default 0s: none).
 *         Only for tests and demonstrations of crash recovery, where a head epoch (milliseconds) is too short to
 *         stop a worker between two of them; never set it in production
 */
public record WorkerConfig(String region, KafkaConnection kafka, BlobStoreSettings blobs, String workerId,
        String group, String executionProvider, int intraOpThreads, Duration sessionTimeout, Duration epochPause) {

    /**
     * The port of the worker's health endpoints ({@code meridian.worker.health-port}; none by default): {@code GET
     * /health/ready} answers 503 while a consumer of the worker is not consuming (restarting after a failure),
     * {@code GET /health/live} 503 once the job loop has stopped for good. Kept out of the record: only
     * {@code WorkerMain} serves it.
     */
    public static java.util.OptionalInt healthPort() {
        return find("health-port").map(p -> java.util.OptionalInt.of(Integer.parseInt(p.strip())))
                .orElse(java.util.OptionalInt.empty());
    }

    public static WorkerConfig fromEnvironment() {
        String region = get("region", "eu-central");
        var blobs = new BlobStoreSettings("meridian.worker.blobs", get("blobs.store", "filesystem"),
                Path.of(get("blobs.directory", ".platform/blobs/" + region)), find("blobs.s3.endpoint"),
                find("blobs.s3.bucket"), get("blobs.s3.signing-region", "us-east-1"),
                find("blobs.s3.access-key-id"), find("blobs.s3.secret-access-key"));
        String protocol = get("kafka-security-protocol", "SASL_PLAINTEXT");
        Optional<String> password = find("kafka-password");
        if (password.isEmpty() && !protocol.equalsIgnoreCase("PLAINTEXT")) {
            throw new IllegalArgumentException("the worker connects to Kafka as its own principal: set its password "
                    + "in meridian.worker.kafka-password (or MERIDIAN_WORKER_KAFKA_PASSWORD)");
        }
        var scram = KafkaConnection.scram(get("kafka-bootstrap", "localhost:19092"), protocol,
                get("kafka-username", "worker"), password.orElse(null));
        var kafka = find("kafka-truststore-certificates").map(scram::trusting).orElse(scram);
        return new WorkerConfig(region, kafka, blobs,
                get("id", java.lang.management.ManagementFactory.getRuntimeMXBean().getName()),
                get("group", "meridian-worker-" + region), get("execution-provider", "auto"),
                Integer.parseInt(get("intra-op-threads", String.valueOf(Runtime.getRuntime().availableProcessors()))),
                duration(get("session-timeout", "10s")), duration(get("epoch-pause", "0s")));
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}: a number and a unit, as Quarkus settings are written. */
    static Duration duration(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        return Duration.parse("PT" + v.toUpperCase(java.util.Locale.ROOT));
    }

    private static String get(String name, String fallback) {
        return find(name).orElse(fallback);
    }

    private static Optional<String> find(String name) {
        String v = System.getProperty("meridian.worker." + name);
        if (v == null || v.isBlank()) {
            v = System.getenv("MERIDIAN_WORKER_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                    .replace('.', '_'));
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }
}
