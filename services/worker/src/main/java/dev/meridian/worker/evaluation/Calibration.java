package dev.meridian.worker.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the model's confidence (the probability of the label it predicts) matches how often it is right: the
 * examples are put in {@code bins} equal-width confidence bins ({@code [0, 1/bins]}, {@code (1/bins, 2/bins]}, ...),
 * and the expected calibration error is the mean, weighted by the bins' sizes, of the gap between a bin's accuracy
 * and its mean confidence. 0 is perfectly calibrated; a model right 70% of the time when it says 90% adds 0.2 for
 * those examples.
 *
 * @param reliability each bin, lowest confidence first (the data of a reliability diagram)
 */
public record Calibration(
        @JsonProperty("expected_calibration_error") double expectedCalibrationError,
        int bins,
        List<Bin> reliability) {

    /** One confidence bin: its range, how many examples fell in it, their mean confidence and accuracy (0 if none). */
    public record Bin(double from, double to, int examples,
            @JsonProperty("mean_confidence") double meanConfidence, double accuracy) {
    }

    static Calibration of(double[] confidence, boolean[] correct, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("calibration needs at least one bin");
        }
        int[] count = new int[bins];
        double[] sumConfidence = new double[bins];
        int[] right = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            // bin b holds (b/bins, (b+1)/bins]; confidence 0 joins the first bin
            int b = Math.min(bins - 1, Math.max(0, (int) Math.ceil(confidence[i] * bins) - 1));
            count[b]++;
            sumConfidence[b] += confidence[i];
            right[b] += correct[i] ? 1 : 0;
        }
        double ece = 0;
        List<Bin> reliability = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            double meanConfidence = ClassificationMetrics.ratio(sumConfidence[b], count[b]);
            double accuracy = ClassificationMetrics.ratio(right[b], count[b]);
            reliability.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b], meanConfidence, accuracy));
            if (count[b] > 0) {
                ece += (double) count[b] / confidence.length * Math.abs(accuracy - meanConfidence);
            }
        }
        return new Calibration(ece, bins, List.copyOf(reliability));
    }
}
