package dev.meridian.worker.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The metrics per slice of the examples that carry a {@code group}, and a basic fairness view: between which groups
 * accuracy and macro F1 differ most. Examples without a group are in no slice; they are only counted.
 *
 * @param slices one per group, by group name
 * @param ungrouped examples without a group
 * @param accuracyGap the groups with the highest and the lowest accuracy, and the difference
 * @param macroF1Gap the same for macro F1
 */
public record GroupReport(
        List<Slice> slices,
        int ungrouped,
        @JsonProperty("accuracy_gap") Gap accuracyGap,
        @JsonProperty("macro_f1_gap") Gap macroF1Gap) {

    public record Slice(String group, ClassificationMetrics metrics) {
    }

    /** {@code gap} = {@code bestValue} − {@code worstValue}; ties go to the group first by name. */
    public record Gap(String best, @JsonProperty("best_value") double bestValue, String worst,
            @JsonProperty("worst_value") double worstValue, double gap) {
    }

    /**
     * The report over the examples' {@code groups} ({@code null} for an example without one), or {@code null} when
     * none has a group.
     */
    public static GroupReport of(List<String> labels, int[] truth, int[] predicted, double[] confidence,
            List<String> groups, int calibrationBins) {
        TreeMap<String, List<Integer>> members = new TreeMap<>();
        int ungrouped = 0;
        for (int i = 0; i < truth.length; i++) {
            String g = groups.get(i);
            if (g == null) {
                ungrouped++;
            } else {
                members.computeIfAbsent(g, x -> new ArrayList<>()).add(i);
            }
        }
        if (members.isEmpty()) {
            return null;
        }
        List<Slice> slices = new ArrayList<>();
        members.forEach((group, of) -> {
            int[] t = new int[of.size()];
            int[] p = new int[of.size()];
            double[] c = new double[of.size()];
            for (int j = 0; j < of.size(); j++) {
                t[j] = truth[of.get(j)];
                p[j] = predicted[of.get(j)];
                c[j] = confidence[of.get(j)];
            }
            slices.add(new Slice(group, ClassificationMetrics.of(labels, t, p, c, calibrationBins)));
        });
        return new GroupReport(List.copyOf(slices), ungrouped, gap(slices, m -> m.accuracy()),
                gap(slices, m -> m.macroAvg().f1()));
    }

    private static Gap gap(List<Slice> slices, ToDoubleFunction<ClassificationMetrics> metric) {
        Slice best = slices.getFirst();
        Slice worst = slices.getFirst();
        for (Slice s : slices) {
            double v = metric.applyAsDouble(s.metrics());
            if (v > metric.applyAsDouble(best.metrics())) {
                best = s;
            }
            if (v < metric.applyAsDouble(worst.metrics())) {
                worst = s;
            }
        }
        double b = metric.applyAsDouble(best.metrics());
        double w = metric.applyAsDouble(worst.metrics());
        return new Gap(best.group(), b, worst.group(), w, b - w);
    }
}
