package dev.meridian.worker.training;

import java.util.Random;

/**
 * A linear classification head over the backbone's normalised vectors: {@code softmax(x·W + b)}, trained with
 * cross-entropy and Adam in mini-batches. {@code W} is stored row-major as {@code [dims][labels]}, the layout of the
 * exported graph's MatMul initializer.
 */
public final class ClassifierHead {

    /** Loss and accuracy over a set of examples. */
    public record Evaluation(double loss, double accuracy) {
    }

    public final int dims;
    public final int labels;
    public final float[] w;
    public final float[] b;

    public ClassifierHead(int dims, int labels, Random random) {
        this.dims = dims;
        this.labels = labels;
        this.w = new float[dims * labels];
        this.b = new float[labels];
        double scale = 1.0 / Math.sqrt(dims);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * scale * 0.1);
        }
    }

    public ClassifierHead(int dims, int labels, float[] w, float[] b) {
        this.dims = dims;
        this.labels = labels;
        this.w = w;
        this.b = b;
    }

    public ClassifierHead copy() {
        return new ClassifierHead(dims, labels, w.clone(), b.clone());
    }

    /** Class probabilities of one vector. */
    public float[] probabilities(float[] x) {
        double[] z = new double[labels];
        for (int k = 0; k < labels; k++) {
            z[k] = b[k];
        }
        for (int d = 0; d < dims; d++) {
            float xd = x[d];
            if (xd == 0) {
                continue;
            }
            int row = d * labels;
            for (int k = 0; k < labels; k++) {
                z[k] += xd * w[row + k];
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < labels; k++) {
            z[k] = Math.exp(z[k] - max);
            sum += z[k];
        }
        float[] p = new float[labels];
        for (int k = 0; k < labels; k++) {
            p[k] = (float) (z[k] / sum);
        }
        return p;
    }

    public int predict(float[] x) {
        float[] p = probabilities(x);
        int best = 0;
        for (int k = 1; k < labels; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * One optimizer step on the examples {@code order[from..to)}: mean cross-entropy gradient, then Adam.
     *
     * @return the batch's summed loss (before the step)
     */
    public double step(float[][] xs, int[] ys, int[] order, int from, int to, Adam adam) {
        float[] gw = new float[w.length];
        float[] gb = new float[b.length];
        double loss = 0;
        int n = to - from;
        for (int i = from; i < to; i++) {
            float[] x = xs[order[i]];
            int y = ys[order[i]];
            float[] p = probabilities(x);
            loss -= Math.log(Math.max(p[y], 1e-12));
            p[y] -= 1; // dLoss/dz for softmax + cross-entropy
            for (int k = 0; k < labels; k++) {
                gb[k] += p[k] / n;
            }
            for (int d = 0; d < dims; d++) {
                float xd = x[d] / n;
                int row = d * labels;
                for (int k = 0; k < labels; k++) {
                    gw[row + k] += xd * p[k];
                }
            }
        }
        adam.update(w, gw, b, gb);
        return loss;
    }

    public Evaluation evaluate(float[][] xs, int[] ys) {
        if (xs.length == 0) {
            return new Evaluation(Double.NaN, Double.NaN);
        }
        double loss = 0;
        int right = 0;
        for (int i = 0; i < xs.length; i++) {
            float[] p = probabilities(xs[i]);
            loss -= Math.log(Math.max(p[ys[i]], 1e-12));
            int best = 0;
            for (int k = 1; k < labels; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            if (best == ys[i]) {
                right++;
            }
        }
        return new Evaluation(loss / xs.length, (double) right / xs.length);
    }
}
