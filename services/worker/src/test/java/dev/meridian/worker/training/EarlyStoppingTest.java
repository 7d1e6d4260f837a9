package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping and the choice of the exported head, on vectors made so that the validation loss first falls and
 * then rises: the training examples are cleanly separable, so the head grows ever more confident, while a quarter of
 * the validation examples carry the other label, so past some confidence they cost more than the others gain.
 */
class EarlyStoppingTest {

    private static final int EPOCHS = 30;

    @TempDir
    Path dir;

    private final UUID tenant = UUID.randomUUID();
    private final List<FineTuneEvent> events = new CopyOnWriteArrayList<>();

    private FineTuneRun run(FileSystemBlobStore blobs) {
        var job = new FineTuneJobMessage(UUID.randomUUID(), "ftjob-early", tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-x", FineTuneBlobs.file(tenant, "file-x"), 10, "00", 20), null,
                new FineTuneJobMessage.Hyperparameters(EPOCHS, 4, 1.0), 7, List.of("a", "b"),
                "ft:all-minilm-l6-v2:t:ftjob-early", Instant.parse("2026-01-01T00:00:00Z"));
        EventSink sink = new EventSink() {
            @Override
            public void send(FineTuneEvent event, boolean durable) {
                events.add(event);
            }

            @Override
            public void usage(UsageEvent event) {
            }
        };
        return new FineTuneRun(job, null, blobs, sink, "w1", () -> false, () -> false, () -> false,
                Timer.builder("epochs").register(new SimpleMeterRegistry()));
    }

    /** Label {@code y} points along axis {@code y}, 5 long, with a little of the other axes so no two are equal. */
    private static float[] point(int y, int i) {
        float[] x = new float[4];
        x[y] = 5;
        x[2] = 0.01f * i;
        x[3] = -0.01f * i;
        return x;
    }

    @Test
    void whenTheValidationLossRisesTrainingStopsAfterPatienceEpochsAndTheBestEpochsHeadIsExported()
            throws Exception {
        float[][] x = new float[20][];
        int[] y = new int[20];
        for (int i = 0; i < 20; i++) {
            y[i] = i % 2;
            x[i] = point(y[i], i);
        }
        float[][] vx = new float[8][];
        int[] vy = new int[8];
        for (int i = 0; i < 8; i++) {
            vx[i] = point(i % 2, 100 + i);
            vy[i] = i < 6 ? i % 2 : 1 - i % 2; // the last two carry the other label
        }
        var blobs = new FileSystemBlobStore(dir);

        TrainingState state = run(blobs).train(x, y, vx, vy);

        List<Double> validLoss = state.history.stream().map(EpochMetrics::validLoss).toList();
        int lowest = validLoss.indexOf(validLoss.stream().min(Double::compare).orElseThrow()) + 1;
        assertThat(lowest).as("the validation loss first falls (%s)", validLoss).isGreaterThan(1);
        assertThat(state.bestEpoch).isEqualTo(lowest);
        assertThat(state.stoppedEarly).isTrue();
        assertThat(state.epochsDone).as("stops PATIENCE epochs after the best").isEqualTo(lowest
                + FineTuneRun.PATIENCE).isLessThan(EPOCHS);
        assertThat(state.history).extracting(EpochMetrics::epoch)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, state.epochsDone).boxed()
                        .toList());
        for (int e = lowest; e < state.epochsDone; e++) {
            assertThat(validLoss.get(e)).as("epoch %d is no better than the best", e + 1)
                    .isGreaterThanOrEqualTo(validLoss.get(lowest - 1));
        }

        // the exported head is the head as it was after the best epoch (its checkpoint), not the last one
        var atBest = TrainingState.fromBytes(blobs.read(FineTuneBlobs.checkpoint(tenant, "ftjob-early",
                state.history.get(lowest - 1).step())));
        ClassifierHead exported = FineTuneRun.exportedHead(state, true);
        assertThat(exported.w).isEqualTo(atBest.head.w);
        assertThat(exported.b).isEqualTo(atBest.head.b);
        assertThat(exported.w).isNotEqualTo(state.head.w);
        assertThat(events).filteredOn(e -> e.type().equals(FineTuneEvent.METRICS)).hasSize(state.epochsDone);
        assertThat(events).extracting(FineTuneEvent::message)
                .anyMatch(m -> m.startsWith("Stopped early after epoch " + state.epochsDone));
    }

    @Test
    void withoutValidationExamplesEveryEpochRunsAndTheLastHeadIsExported() throws Exception {
        float[][] x = new float[20][];
        int[] y = new int[20];
        for (int i = 0; i < 20; i++) {
            y[i] = i % 2;
            x[i] = point(y[i], i);
        }

        TrainingState state = run(new FileSystemBlobStore(dir)).train(x, y, new float[0][], new int[0]);

        assertThat(state.epochsDone).isEqualTo(EPOCHS);
        assertThat(state.stoppedEarly).isFalse();
        assertThat(state.bestEpoch).isEqualTo(EPOCHS);
        assertThat(state.history).allMatch(m -> !m.validated());
        assertThat(FineTuneRun.exportedHead(state, false).w).isEqualTo(state.head.w);
    }

    @Test
    void aCheckpointKeepsTheEpochHistoryForTheWorkerThatResumes() throws Exception {
        var state = new TrainingState();
        state.head = new ClassifierHead(2, 2, new java.util.Random(1));
        state.best = state.head.copy();
        state.adam = new Adam(0.01f, 4, 2);
        state.epochsDone = 2;
        state.bestEpoch = 1;
        state.history.add(new EpochMetrics(1, 5, 0.6, 0.7, 0.5, 0.75));
        state.history.add(new EpochMetrics(2, 10, 0.4, 0.8, 0.55, 0.7));

        var again = TrainingState.fromBytes(state.toBytes());

        assertThat(again.history).containsExactlyElementsOf(state.history);
        assertThat(again.bestEpoch).isEqualTo(1);
        assertThat(again.best.w).isEqualTo(state.best.w);
    }
}
