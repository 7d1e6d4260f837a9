package dev.meridian.worker.training;

/**
 * What one epoch ended with: the training loss (mean over the epoch's steps) and accuracy, and the validation loss and
 * accuracy after it ({@code NaN} when the job has no validation data).
 */
public record EpochMetrics(int epoch, int step, double trainLoss, double trainAccuracy, double validLoss,
        double validAccuracy) {

    public boolean validated() {
        return !Double.isNaN(validLoss);
    }
}
