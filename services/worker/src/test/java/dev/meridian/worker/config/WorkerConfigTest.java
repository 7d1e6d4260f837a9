package dev.meridian.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

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
        var c = WorkerConfig.fromEnvironment();
        assertThat(c.epochPause()).isZero();
        assertThat(c.blobs().store()).isEqualTo("filesystem");
        assertThat(c.blobs().directory().toString()).isEqualTo(".platform/blobs/" + c.region());
    }
}
