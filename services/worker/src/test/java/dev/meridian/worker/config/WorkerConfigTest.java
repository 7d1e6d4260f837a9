package dev.meridian.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void durationsAreWrittenAsQuarkusSettingsAre() {
        assertThat(WorkerConfig.duration("3000ms")).isEqualTo(Duration.ofSeconds(3));
        assertThat(WorkerConfig.duration("0ms")).isEqualTo(Duration.ZERO);
        assertThat(WorkerConfig.duration("6s")).isEqualTo(Duration.ofSeconds(6));
        assertThat(WorkerConfig.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theEpochPauseIsOffAndTheBlobStoreIsTheRegionsDirectoryByDefault() {
        System.setProperty("meridian.worker.kafka-password", "secret");
        try {
            var c = WorkerConfig.fromEnvironment();
            assertThat(c.epochPause()).isZero();
            assertThat(c.blobs().store()).isEqualTo("filesystem");
            assertThat(c.blobs().directory().toString()).isEqualTo(".platform/blobs/" + c.region());
            assertThat(c.kafka().properties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
            assertThat(c.kafka().properties().getProperty("sasl.jaas.config"))
                    .contains("username=\"worker\"", "password=\"secret\"");
            assertThat(c.kafka().toString()).as("no password in logs").doesNotContain("secret");
        } finally {
            System.clearProperty("meridian.worker.kafka-password");
        }
    }

    @Test
    void withoutAKafkaPasswordTheWorkerSaysWhichSettingToSet() {
        assertThatThrownBy(WorkerConfig::fromEnvironment).hasMessageContaining("meridian.worker.kafka-password")
                .hasMessageContaining("MERIDIAN_WORKER_KAFKA_PASSWORD");
    }
}
