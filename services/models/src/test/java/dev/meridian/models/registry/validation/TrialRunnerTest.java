package dev.meridian.models.registry.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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
        // Long enough for the child JVM and ONNX Runtime to start and run a valid model, so that what the limit
        // stops is the model's own work, which never ends.
        long timeout = 8_000;
        var valid = new TrialRunner().run(write(OnnxModels.addConstant(1f)), timeout, 128, 4096);
        assertThat(valid.ok()).as("a valid model runs within the same limit: %s", valid.reason()).isTrue();

        Path spinning = write(OnnxModels.spinningLoop());
        var trial = CompletableFuture.supplyAsync(() -> {
            try {
                return new TrialRunner().run(spinning, timeout, 128, 4096);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        List<ProcessHandle> started = await("the trial's child JVM started").atMost(Duration.ofMillis(timeout))
                .pollInterval(Duration.ofMillis(50)).until(TrialRunnerTest::trialChildren, c -> !c.isEmpty());
        var outcome = trial.get(2 * timeout, TimeUnit.MILLISECONDS);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).as(outcome.reason()).isTrue();
        assertThat(outcome.reason()).isEqualTo("did not finish within " + timeout + " ms");
        assertThat(started).as("the trial's child JVM, killed").noneMatch(ProcessHandle::isAlive);
        assertThat(trialChildren()).as("trial processes left running").isEmpty();
    }

    @Test
    void aTrialOverItsMemoryCapFails() throws Exception {
        // 2^31 floats is 8 GiB, asked for at run time under the same 4 GiB cap that valid models run under.
        var outcome = new TrialRunner().run(write(OnnxModels.allocatesFromInput(1L << 31)), 60_000, 128, 4096);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).as(outcome.reason()).isFalse();
        assertThat(outcome.reason()).startsWith("it ran out of memory").contains("8589934592");
    }

    /** This JVM's descendants that are trial runs. */
    private static List<ProcessHandle> trialChildren() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(TrialRun.class.getName()))
                .toList();
    }
}
