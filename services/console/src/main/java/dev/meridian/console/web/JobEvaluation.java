package dev.meridian.console.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a job's page shows of its evaluation report (the result file {@code evaluation.json}; its layout is in
 * docs/api.md, "Result files"): the figures on the validation examples, each label's, and the gap between the best
 * and the worst group when the examples carry groups.
 *
 * @param evaluatedOn {@code validation_file}, {@code held_out_split} or {@code training_file}
 * @param gaps accuracy's and macro F1's, when the report has groups
 */
public record JobEvaluation(String evaluatedOn, long examples, int bestEpoch, double accuracy, double macroF1,
        double expectedCalibrationError, List<LabelRow> labels, List<GapRow> gaps) {

    public record LabelRow(String label, double precision, double recall, double f1, long support) {
    }

    /** @param metric {@code accuracy} or {@code macro_f1} */
    public record GapRow(String metric, String best, double bestValue, String worst, double worstValue, double gap) {
    }

    /** The report's figures, or empty when {@code report} is not one this console can read. */
    static Optional<JobEvaluation> of(JsonNode report) {
        JsonNode metrics = report == null ? null : report.get("metrics");
        if (!"fine_tuning.job.evaluation".equals(report == null ? null : report.path("object").asText())
                || metrics == null || !metrics.path("per_class").isArray()) {
            return Optional.empty();
        }
        List<LabelRow> labels = new ArrayList<>();
        for (JsonNode c : metrics.path("per_class")) {
            labels.add(new LabelRow(c.path("label").asText(), c.path("precision").asDouble(),
                    c.path("recall").asDouble(), c.path("f1").asDouble(), c.path("support").asLong()));
        }
        List<GapRow> gaps = new ArrayList<>();
        JsonNode groups = report.path("groups");
        for (String metric : List.of("accuracy", "macro_f1")) {
            JsonNode gap = groups.path(metric + "_gap");
            if (gap.isObject()) {
                gaps.add(new GapRow(metric, gap.path("best").asText(), gap.path("best_value").asDouble(),
                        gap.path("worst").asText(), gap.path("worst_value").asDouble(), gap.path("gap").asDouble()));
            }
        }
        return Optional.of(new JobEvaluation(report.path("evaluated_on").asText(), metrics.path("examples").asLong(),
                report.path("best_epoch").asInt(), metrics.path("accuracy").asDouble(),
                metrics.path("macro_avg").path("f1").asDouble(),
                metrics.path("calibration").path("expected_calibration_error").asDouble(), List.copyOf(labels),
                List.copyOf(gaps)));
    }
}
