package dev.meridian.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's settings keep the names ./platform and the Helm chart have always given them. */
class WorkerConfigTest {

    private static WorkerConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(WorkerConfig.class).withDefaultValues(properties)
                .withConverter(Duration.class, 200, new DurationConverter()).build()
                .getConfigMapping(WorkerConfig.class);
    }

    @Test
    void theBlobStoreIsTheRegionsDirectoryAndKafkaTheWorkersOwnPrincipalByDefault() {
        var c = config(Map.of("meridian.worker.kafka-password", "secret", "meridian.worker.region", "us-east"));
        assertThat(c.blobStore().store()).isEqualTo("filesystem");
        assertThat(c.blobStore().directory().toString()).isEqualTo(".platform/blobs/us-east");
        assertThat(c.consumerGroup()).isEqualTo("meridian-worker-us-east");
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.kafka().properties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.kafka().properties().getProperty("sasl.jaas.config"))
                .contains("username=\"worker\"", "password=\"secret\"");
        assertThat(c.kafka().toString()).as("no password in logs").doesNotContain("secret");
    }

    @Test
    void durationsAndNestedSettingsAreWrittenAsBefore() {
        var c = config(Map.of("meridian.worker.kafka-password", "secret", "meridian.worker.session-timeout", "6s",
                "meridian.worker.checkpoint-grace", "500ms", "meridian.worker.blobs.store", "s3",
                "meridian.worker.blobs.s3.bucket", "models", "meridian.worker.id", "worker-1",
                "meridian.worker.intra-op-threads", "3"));
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.checkpointGrace()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.blobStore().s3Bucket()).contains("models");
        assertThat(c.workerId()).isEqualTo("worker-1");
        assertThat(c.onnxThreads()).isEqualTo(3);
    }

    @Test
    void withoutAKafkaPasswordTheWorkerSaysWhichSettingToSet() {
        var c = config(Map.of());
        assertThatThrownBy(c::kafka).hasMessageContaining("meridian.worker.kafka-password")
                .hasMessageContaining("MERIDIAN_WORKER_KAFKA_PASSWORD");
    }
}
