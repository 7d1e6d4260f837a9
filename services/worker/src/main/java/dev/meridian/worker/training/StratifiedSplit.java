package dev.meridian.worker.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The validation examples a job holds out of its training file when it has no validation file: about
 * {@link #FRACTION} of each label's examples, at least one of every label that has two or more (a label with one
 * example keeps it for training), so the validation set has the training file's label proportions and every label
 * the report can judge. Which examples are held out depends only on the labels and the job's seed, so a job resumed
 * by another worker splits exactly as it did before. Both index lists are in file order.
 */
public record StratifiedSplit(int[] train, int[] validation) {

    /** The share of each label's examples held out. */
    public static final double FRACTION = 0.1;
    /** Below this many examples nothing is held out: too few to learn from and to judge by. */
    public static final int MIN_EXAMPLES = 20;

    public static StratifiedSplit of(int[] labels, int labelCount, long seed) {
        int n = labels.length;
        boolean[] held = new boolean[n];
        if (n >= MIN_EXAMPLES) {
            // its own stream: the head's initial weights are drawn from the seed itself
            Random random = new Random(seed * 0x9E3779B97F4A7C15L + 0x5EED);
            for (int label = 0; label < labelCount; label++) {
                List<Integer> of = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (labels[i] == label) {
                        of.add(i);
                    }
                }
                if (of.size() < 2) {
                    continue;
                }
                java.util.Collections.shuffle(of, random);
                int count = (int) Math.max(1, Math.min(of.size() - 1, Math.round(of.size() * FRACTION)));
                for (int i = 0; i < count; i++) {
                    held[of.get(i)] = true;
                }
            }
        }
        int validating = 0;
        for (boolean h : held) {
            validating += h ? 1 : 0;
        }
        int[] train = new int[n - validating];
        int[] validation = new int[validating];
        for (int i = 0, t = 0, v = 0; i < n; i++) {
            if (held[i]) {
                validation[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new StratifiedSplit(train, validation);
    }
}
