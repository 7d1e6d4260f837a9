package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassifierHeadTest {

    /** Two clusters on the unit sphere, around opposite directions. */
    private static float[][] clusters(int n, Random r, int[] y) {
        float[][] x = new float[n][8];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int d = 0; d < 8; d++) {
                x[i][d] = (float) (r.nextGaussian() * 0.3 + (d == 0 ? (y[i] == 0 ? 1 : -1) : 0));
            }
            dev.meridian.common.onnx.EmbeddingPooling.normalize(x[i]);
        }
        return x;
    }

    @Test
    void adamLearnsSeparableClasses() {
        int[] y = new int[200];
        float[][] x = clusters(200, new Random(1), y);
        var head = new ClassifierHead(8, 2, new Random(2));
        var adam = new Adam(0.05f, 16, 2);
        double before = head.evaluate(x, y).loss();
        int[] order = FineTuneRun.permutation(200, new Random(3));
        for (int epoch = 0; epoch < 20; epoch++) {
            for (int from = 0; from < 200; from += 16) {
                head.step(x, y, order, from, Math.min(200, from + 16), adam);
            }
        }
        var after = head.evaluate(x, y);
        assertThat(after.loss()).isLessThan(before / 4);
        assertThat(after.accuracy()).isGreaterThan(0.95);
    }

    @Test
    void aCheckpointRestoresTheStateExactly() {
        int[] y = new int[64];
        float[][] x = clusters(64, new Random(5), y);
        var state = new TrainingState();
        state.head = new ClassifierHead(8, 2, new Random(6));
        state.adam = new Adam(0.05f, 16, 2);
        int[] order = FineTuneRun.permutation(64, new Random(7));
        state.head.step(x, y, order, 0, 32, state.adam);
        state.best = state.head.copy();
        state.epochsDone = 1;
        state.step = 1;
        var restored = TrainingState.fromBytes(state.toBytes());
        // the same next step from the original and the restored state gives the same head
        state.head.step(x, y, order, 32, 64, state.adam);
        restored.head.step(x, y, order, 32, 64, restored.adam);
        assertThat(restored.head.w).containsExactly(state.head.w);
        assertThat(restored.head.b).containsExactly(state.head.b);
        assertThat(restored.adam.t).isEqualTo(2);
        assertThat(restored.epochsDone).isEqualTo(1);
    }
}
