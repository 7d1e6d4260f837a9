package dev.meridian.models.registry.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM trial run: real ONNX Runtime in a real child process, under the caps it is given. */
class TrialRunnerTest {

    @TempDir
    Path dir;

    private Path write(byte[] model) throws Exception {
        return Files.write(dir.resolve("m.onnx"), model);
    }

    @Test
    void aValidModelRuns() throws Exception {
        var outcome = new TrialRunner().run(write(OnnxModels.addConstant(1f, 2f)), 60_000, 128, 4096);
        assertThat(outcome.ok()).as(outcome.reason()).isTrue();
    }

    @Test
    void everyServableDatatypeRunsOnZeros() throws Exception {
        for (int type : new int[] {OnnxModels.INT64, OnnxModels.INT32, OnnxModels.BOOL, OnnxModels.STRING,
                OnnxModels.DOUBLE, OnnxModels.UINT8, OnnxModels.INT8}) {
            var outcome = new TrialRunner().run(write(OnnxModels.identity(type, 2)), 60_000, 128, 4096);
            assertThat(outcome.ok()).as("type " + type + ": " + outcome.reason()).isTrue();
        }
    }

    @Test
    void aModelOnnxRuntimeCannotLoadFailsWithItsReason() throws Exception {
        var outcome = new TrialRunner().run(write(new OnnxModels.Builder().unknownOperator(2).bytes()), 60_000, 128,
                4096);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.reason()).contains("NoSuchOperatorAnywhere");
    }

    @Test
    void aTrialPastItsTimeoutIsKilled() throws Exception {
        // No JVM starts in a millisecond, so this is always past the limit: it shows the kill path, not a timing.
        var outcome = new TrialRunner().run(write(OnnxModels.addConstant(1f)), 1, 128, 4096);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).isTrue();
    }

    @Test
    void aTrialOverItsMemoryCapFails() throws Exception {
        var outcome = new TrialRunner().run(write(OnnxModels.addConstant(1f)), 60_000, 128, 64);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).isFalse();
    }
}
