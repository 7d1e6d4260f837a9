package dev.meridian.worker.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a worker, from system properties ({@code -Dmeridian.worker.region=...}) or, failing those, environment
 * variables ({@code MERIDIAN_WORKER_REGION=...}).
 *
 * @param region the region whose jobs this worker runs ({@code meridian.worker.region}, default eu-central)
 * @param kafkaBootstrap the region's Kafka ({@code meridian.worker.kafka-bootstrap}, default localhost:19092)
 * @param blobDir the region's blob store, shared with the models and inference services
 *         ({@code meridian.worker.blob-dir}, default .platform/blobs/&lt;region&gt;)
 * @param workerId names this worker in events and usage ({@code meridian.worker.id}, default host and pid)
 * @param group the consumer group of the region's workers ({@code meridian.worker.group})
 * @param executionProvider {@code auto} (CUDA when present, else CPU), {@code cpu} or {@code cuda}
 * @param intraOpThreads threads of one ONNX Runtime call ({@code meridian.worker.intra-op-threads}, default cores)
 * @param sessionTimeout how long the group waits for a silent worker (killed, hung) before another takes its job
 *         ({@code meridian.worker.session-timeout}, default 10s; the broker's minimum is 6s)
 */
public record WorkerConfig(String region, String kafkaBootstrap, Path blobDir, String workerId, String group,
        String executionProvider, int intraOpThreads, Duration sessionTimeout) {

    public static WorkerConfig fromEnvironment() {
        String region = get("region", "eu-central");
        return new WorkerConfig(region, get("kafka-bootstrap", "localhost:19092"),
                Path.of(get("blob-dir", ".platform/blobs/" + region)),
                get("id", java.lang.management.ManagementFactory.getRuntimeMXBean().getName()),
                get("group", "meridian-worker-" + region), get("execution-provider", "auto"),
                Integer.parseInt(get("intra-op-threads", String.valueOf(Runtime.getRuntime().availableProcessors()))),
                Duration.parse("PT" + get("session-timeout", "10s").toUpperCase(java.util.Locale.ROOT)));
    }

    private static String get(String name, String fallback) {
        String v = System.getProperty("meridian.worker." + name);
        if (v == null || v.isBlank()) {
            v = System.getenv("MERIDIAN_WORKER_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
        return v == null || v.isBlank() ? fallback : v;
    }
}
