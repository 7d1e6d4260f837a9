package dev.meridian.console.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.console.api.OpenAiApi.JobEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's loss and accuracy per step, from its {@code metrics} events' {@code data}, as the chart draws it: the steps,
 * and for each metric the job reported one value per step ({@code null} where a step lacks it).
 */
record TrainingCurve(List<Integer> steps, Map<String, List<Double>> series) {

    static final List<String> METRICS = List.of("train_loss", "valid_loss", "train_accuracy", "valid_accuracy");
    private static final ObjectMapper JSON = new ObjectMapper();

    static TrainingCurve of(Collection<JobEvent> events) {
        var byStep = new TreeMap<Integer, JsonNode>();
        for (JobEvent e : events) {
            if ("metrics".equals(e.type()) && e.data() != null && e.data().path("step").isNumber()) {
                byStep.put(e.data().get("step").asInt(), e.data()); // a step reported again: its latest figures
            }
        }
        var series = new LinkedHashMap<String, List<Double>>();
        for (String metric : METRICS) {
            if (byStep.values().stream().anyMatch(d -> d.path(metric).isNumber())) {
                var values = new ArrayList<Double>();
                byStep.values().forEach(d -> values.add(d.path(metric).isNumber() ? d.get(metric).asDouble() : null));
                series.put(metric, values);
            }
        }
        return new TrainingCurve(List.copyOf(byStep.keySet()), series);
    }

    /** For the page's {@code data-curve} attribute. */
    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
