package dev.meridian.worker.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluation's metrics against small cases worked out by hand. */
class ClassificationMetricsTest {

    private static final List<String> ABC = List.of("a", "b", "c");

    private static double[] confidences(int n, double c) {
        double[] out = new double[n];
        Arrays.fill(out, c);
        return out;
    }

    @Test
    void perClassMetricsAveragesAndConfusionMatrixMatchAHandWorkedCase() {
        //                         a  a  a  b  b  c
        int[] truth = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 1, 1, 0, 1};

        var m = ClassificationMetrics.of(ABC, truth, predicted, confidences(6, 0.9), 10);

        assertThat(m.examples()).isEqualTo(6);
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.confusionMatrix().labels()).containsExactly("a", "b", "c");
        assertThat(m.confusionMatrix().rows()).isDeepEqualTo(new int[][] {{2, 1, 0}, {1, 1, 0}, {0, 1, 0}});
        var a = m.perClass().get(0);
        assertThat(a.precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(a.recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(a.f1()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(a.support()).isEqualTo(3);
        var b = m.perClass().get(1);
        assertThat(b.precision()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(b.recall()).isEqualTo(0.5);
        assertThat(b.f1()).isCloseTo(0.4, within(1e-12));
        assertThat(b.predicted()).isEqualTo(3);
        assertThat(m.macroAvg().precision()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(m.macroAvg().recall()).isCloseTo(7 / 18.0, within(1e-12));
        assertThat(m.macroAvg().f1()).isCloseTo(16 / 45.0, within(1e-12));
        assertThat(m.macroAvg().labels()).isEqualTo(3);
        assertThat(m.weightedAvg().precision()).isCloseTo(4 / 9.0, within(1e-12));
        assertThat(m.weightedAvg().recall()).isEqualTo(0.5);
        assertThat(m.weightedAvg().f1()).isCloseTo(7 / 15.0, within(1e-12));
    }

    @Test
    void aLabelNeverPredictedHasPrecisionZeroNotNaN() {
        int[] truth = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 1, 1, 0, 1};

        var c = ClassificationMetrics.of(ABC, truth, predicted, confidences(6, 0.9), 10).perClass().get(2);

        assertThat(c.label()).isEqualTo("c");
        assertThat(c.predicted()).isZero();
        assertThat(c.precision()).isZero();
        assertThat(c.recall()).isZero();
        assertThat(c.f1()).isZero();
        assertThat(c.support()).isEqualTo(1);
    }

    @Test
    void aLabelAbsentFromTheExamplesIsReportedButLeftOutOfTheMacroAverage() {
        // c never occurs, but one a is predicted as c
        int[] truth = {0, 0, 1, 1};
        int[] predicted = {0, 2, 1, 1};

        var m = ClassificationMetrics.of(ABC, truth, predicted, confidences(4, 0.9), 10);

        var c = m.perClass().get(2);
        assertThat(c.support()).isZero();
        assertThat(c.predicted()).isEqualTo(1);
        assertThat(List.of(c.precision(), c.recall(), c.f1())).containsOnly(0.0);
        assertThat(m.macroAvg().labels()).isEqualTo(2);
        assertThat(m.macroAvg().precision()).isEqualTo(1.0);
        assertThat(m.macroAvg().recall()).isEqualTo(0.75);
        assertThat(m.macroAvg().f1()).isCloseTo(5 / 6.0, within(1e-12));
        assertThat(m.weightedAvg().recall()).isEqualTo(0.75);
        assertThat(m.confusionMatrix().rows()[2]).containsOnly(0);
    }

    @Test
    void noExamplesGiveZerosNotNaN() {
        var m = ClassificationMetrics.of(ABC, new int[0], new int[0], new double[0], 10);

        assertThat(m.accuracy()).isZero();
        assertThat(m.macroAvg().f1()).isZero();
        assertThat(m.weightedAvg().precision()).isZero();
        assertThat(m.calibration().expectedCalibrationError()).isZero();
    }

    @Test
    void aPerfectlyCalibratedModelHasAnExpectedCalibrationErrorOfZero() {
        // 10 examples at confidence 0.8 of which 8 are right, 5 at 0.6 of which 3 are right
        int n = 15;
        int[] truth = new int[n];
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = i < 10 ? 0.8 : 0.6;
            boolean wrong = i == 8 || i == 9 || i == 13 || i == 14;
            predicted[i] = wrong ? 1 : 0;
        }

        var calibration = ClassificationMetrics.of(ABC, truth, predicted, confidence, 10).calibration();

        assertThat(calibration.expectedCalibrationError()).isCloseTo(0, within(1e-12));
        assertThat(calibration.bins()).isEqualTo(10);
        assertThat(calibration.reliability()).hasSize(10);
        var bin = calibration.reliability().get(7);
        assertThat(bin.from()).isCloseTo(0.7, within(1e-12));
        assertThat(bin.to()).isCloseTo(0.8, within(1e-12));
        assertThat(bin.examples()).isEqualTo(10);
        assertThat(bin.accuracy()).isCloseTo(0.8, within(1e-12));
        assertThat(calibration.reliability().get(5).examples()).isEqualTo(5);
    }

    @Test
    void theExpectedCalibrationErrorWeighsEachBinsGapByItsSize() {
        // 10 at 0.8 with 8 right (gap 0), 10 at 0.9 with 6 right (gap 0.3): (10 × 0 + 10 × 0.3) / 20
        int n = 20;
        int[] truth = new int[n];
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = i < 10 ? 0.8 : 0.9;
            predicted[i] = i == 8 || i == 9 || i >= 16 ? 1 : 0;
        }

        var calibration = ClassificationMetrics.of(ABC, truth, predicted, confidence, 10).calibration();

        assertThat(calibration.expectedCalibrationError()).isCloseTo(0.15, within(1e-12));
    }

    @Test
    void confidenceZeroAndOneFallInTheFirstAndLastBins() {
        var calibration = ClassificationMetrics.of(ABC, new int[] {0, 0}, new int[] {0, 1}, new double[] {1.0, 0.0},
                10).calibration();

        assertThat(calibration.reliability().get(9).examples()).isEqualTo(1);
        assertThat(calibration.reliability().get(0).examples()).isEqualTo(1);
        assertThat(calibration.expectedCalibrationError()).isZero();
    }

    @Test
    void groupSlicesHaveTheirOwnMetricsAndTheGapNamesTheBestAndWorstGroup() {
        int[] truth = {0, 1, 0, 1, 0, 1, 0};
        int[] predicted = {0, 1, 0, 0, 1, 0, 0};
        List<String> groups = Arrays.asList("en", "en", "de", "de", "fr", "fr", null);

        var report = GroupReport.of(List.of("a", "b"), truth, predicted, confidences(7, 0.7), groups, 10);

        assertThat(report.slices()).extracting(GroupReport.Slice::group).containsExactly("de", "en", "fr");
        assertThat(report.ungrouped()).isEqualTo(1);
        assertThat(report.slices()).extracting(s -> s.metrics().accuracy()).containsExactly(0.5, 1.0, 0.0);
        assertThat(report.slices().get(0).metrics().examples()).isEqualTo(2);
        assertThat(report.accuracyGap()).isEqualTo(new GroupReport.Gap("en", 1.0, "fr", 0.0, 1.0));
        // de: a P 1/2 R 1 F1 2/3, b P 0 R 0 F1 0 → macro F1 1/3; en: 1; fr: 0
        assertThat(report.macroF1Gap().best()).isEqualTo("en");
        assertThat(report.macroF1Gap().worst()).isEqualTo("fr");
        assertThat(report.macroF1Gap().gap()).isEqualTo(1.0);
        assertThat(report.slices().get(0).metrics().macroAvg().f1()).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void examplesWithoutGroupsGiveNoGroupReport() {
        assertThat(GroupReport.of(List.of("a", "b"), new int[] {0, 1}, new int[] {0, 1}, confidences(2, 0.9),
                Arrays.asList(null, null), 10)).isNull();
    }
}
