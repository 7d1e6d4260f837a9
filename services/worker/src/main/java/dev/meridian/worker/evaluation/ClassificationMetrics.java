package dev.meridian.worker.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * How well a classifier did on a set of examples: accuracy, precision, recall, F1 and support per label, their macro
 * and weighted averages, the confusion matrix and the calibration of its confidence. Division by zero gives 0, never
 * NaN: a label never predicted has precision 0, a label absent from the examples recall 0 (and F1 0).
 *
 * @param perClass one entry per label, in the job's label order
 * @param macroAvg the unweighted mean over the labels that occur in the examples (support above 0): a label the
 *         examples lack cannot be judged and would only pull the mean down
 * @param weightedAvg the mean over all labels weighted by their support
 */
public record ClassificationMetrics(
        int examples,
        double accuracy,
        @JsonProperty("per_class") List<ClassMetrics> perClass,
        @JsonProperty("macro_avg") Average macroAvg,
        @JsonProperty("weighted_avg") Average weightedAvg,
        @JsonProperty("confusion_matrix") ConfusionMatrix confusionMatrix,
        Calibration calibration) {

    /**
     * One label: {@code support} examples have it, {@code predicted} were predicted as it.
     */
    public record ClassMetrics(String label, double precision, double recall, double f1, int support,
            int predicted) {
    }

    /** @param labels how many labels were averaged */
    public record Average(double precision, double recall, double f1, int labels) {
    }

    /**
     * Counts of examples by true label (rows) and predicted label (columns), both in the order of {@code labels}.
     */
    public record ConfusionMatrix(List<String> labels, int[][] rows) {
    }

    /**
     * Scores the predictions {@code predicted[i]} (with the probability {@code confidence[i]} the model gave it) of
     * examples whose true labels are {@code truth[i]}; labels are indexes into {@code labels}.
     */
    public static ClassificationMetrics of(List<String> labels, int[] truth, int[] predicted, double[] confidence,
            int calibrationBins) {
        int k = labels.size();
        int n = truth.length;
        int[][] confusion = new int[k][k];
        int right = 0;
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            confusion[truth[i]][predicted[i]]++;
            correct[i] = truth[i] == predicted[i];
            right += correct[i] ? 1 : 0;
        }
        List<ClassMetrics> perClass = new ArrayList<>(k);
        double macroP = 0;
        double macroR = 0;
        double macroF = 0;
        int present = 0;
        double weightedP = 0;
        double weightedR = 0;
        double weightedF = 0;
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            int support = 0;
            int predictedAs = 0;
            for (int o = 0; o < k; o++) {
                support += confusion[c][o];
                predictedAs += confusion[o][c];
            }
            double precision = ratio(tp, predictedAs);
            double recall = ratio(tp, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new ClassMetrics(labels.get(c), precision, recall, f1, support, predictedAs));
            if (support > 0) {
                present++;
                macroP += precision;
                macroR += recall;
                macroF += f1;
                weightedP += precision * support;
                weightedR += recall * support;
                weightedF += f1 * support;
            }
        }
        var macro = new Average(ratio(macroP, present), ratio(macroR, present), ratio(macroF, present), present);
        var weighted = new Average(ratio(weightedP, n), ratio(weightedR, n), ratio(weightedF, n), present);
        return new ClassificationMetrics(n, ratio(right, n), List.copyOf(perClass), macro, weighted,
                new ConfusionMatrix(List.copyOf(labels), confusion), Calibration.of(confidence, correct,
                        calibrationBins));
    }

    static double ratio(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
