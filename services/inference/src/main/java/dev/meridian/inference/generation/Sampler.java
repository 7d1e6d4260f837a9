package dev.meridian.inference.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: the most likely one (greedy), or a draw from softmax(logits /
 * temperature) restricted to the top k tokens and then to the nucleus of probability top_p, made with the choice's
 * own {@link SplittableRandom}, so that a seed gives the same tokens again.
 */
final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    int next(float[] logits, int offset, int vocab) {
        if (params.greedy()) {
            return argmax(logits, offset, vocab);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        float[] p = new float[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double e = Math.exp((logits[offset + i] - max) / params.temperature());
            p[i] = (float) e;
            sum += e;
        }
        if (params.topK() <= 0 && params.topP() >= 1) {
            return draw(p, sum);
        }
        // Probabilities are non-negative floats, whose bit patterns sort as the values do: one primitive sort of
        // (bits, index) pairs orders the vocabulary by probability without boxing.
        long[] order = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = ((long) Float.floatToRawIntBits(p[i]) << 32) | i;
        }
        Arrays.sort(order);
        int keep = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        double nucleus = params.topP() * sum;
        double kept = 0;
        int[] ids = new int[keep];
        int n = 0;
        for (int k = vocab - 1; k >= vocab - keep; k--) {
            int id = (int) order[k];
            ids[n++] = id;
            kept += p[id];
            if (kept >= nucleus) {
                break;
            }
        }
        double target = random.nextDouble() * kept;
        double acc = 0;
        for (int k = 0; k < n; k++) {
            acc += p[ids[k]];
            if (acc > target) {
                return ids[k];
            }
        }
        return ids[n - 1];
    }

    private int draw(float[] p, double sum) {
        double target = random.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (acc > target) {
                return i;
            }
        }
        return p.length - 1;
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
