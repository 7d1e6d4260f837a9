package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The validation examples held out of a training file: each label in proportion, the same for the same job. */
class StratifiedSplitTest {

    /** {@code counts[c]} examples of label c, the labels interleaved as a real file might have them. */
    private static int[] labels(int... counts) {
        int n = Arrays.stream(counts).sum();
        int[] out = new int[n];
        int[] left = counts.clone();
        for (int i = 0, c = 0; i < n; c = (c + 1) % counts.length) {
            if (left[c] > 0) {
                left[c]--;
                out[i++] = c;
            }
        }
        return out;
    }

    private static long count(int[] labels, int[] indexes, int label) {
        return Arrays.stream(indexes).filter(i -> labels[i] == label).count();
    }

    @Test
    void eachLabelIsHeldOutInProportion() {
        int[] labels = labels(500, 300, 150, 50);

        var split = StratifiedSplit.of(labels, 4, 42);

        assertThat(count(labels, split.validation(), 0)).isEqualTo(50);
        assertThat(count(labels, split.validation(), 1)).isEqualTo(30);
        assertThat(count(labels, split.validation(), 2)).isEqualTo(15);
        assertThat(count(labels, split.validation(), 3)).isEqualTo(5);
        assertThat(split.train()).hasSize(900);
    }

    @Test
    void everyLabelWithTwoExamplesOrMoreHasOneInTheValidationSetAndALoneExampleStaysInTraining() {
        int[] labels = labels(40, 4, 2, 1);

        var split = StratifiedSplit.of(labels, 4, 7);

        assertThat(count(labels, split.validation(), 0)).isEqualTo(4);
        assertThat(count(labels, split.validation(), 1)).isEqualTo(1);
        assertThat(count(labels, split.validation(), 2)).isEqualTo(1);
        assertThat(count(labels, split.validation(), 3)).isZero();
        for (int label = 0; label < 4; label++) {
            assertThat(count(labels, split.train(), label)).as("label %d keeps training examples", label)
                    .isPositive();
        }
    }

    @Test
    void theSplitCoversEveryExampleOnceInFileOrder() {
        int[] labels = labels(37, 23, 11);

        var split = StratifiedSplit.of(labels, 3, 3);

        assertThat(split.train()).isSorted();
        assertThat(split.validation()).isSorted();
        assertThat(IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation())).sorted()
                .toArray()).isEqualTo(IntStream.range(0, labels.length).toArray());
    }

    @Test
    void theSameSeedSplitsTheSameWaySoAResumedJobValidatesOnTheSameExamples() {
        int[] labels = labels(120, 80);

        var first = StratifiedSplit.of(labels, 2, 1234);
        var again = StratifiedSplit.of(labels.clone(), 2, 1234);
        var otherSeed = StratifiedSplit.of(labels, 2, 1235);

        assertThat(again.validation()).isEqualTo(first.validation());
        assertThat(again.train()).isEqualTo(first.train());
        assertThat(otherSeed.validation()).as("another job's seed picks other examples")
                .isNotEqualTo(first.validation());
    }

    @Test
    void aFileOfFewerThanTwentyExamplesHoldsNothingOut() {
        int[] labels = labels(10, 9);

        var split = StratifiedSplit.of(labels, 2, 1);

        assertThat(split.validation()).isEmpty();
        assertThat(split.train()).isEqualTo(IntStream.range(0, 19).toArray());
    }
}
