package dev.meridian.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.console.api.OpenAiApi.JobEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingCurveTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JobEvent event(String id, String type, String data) {
        try {
            return new JobEvent(id, Instant.EPOCH, "info", "m", type, data == null ? null : JSON.readTree(data));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void metricsEventsBecomeOneValuePerStepInStepOrderAndOtherEventsAreIgnored() {
        var curve = TrainingCurve.of(List.of(
                event("e3", "metrics", "{\"step\":20,\"epoch\":2,\"train_loss\":0.3,\"train_accuracy\":0.9}"),
                event("e1", "message", "{\"step\":5}"),
                event("e2", "metrics", "{\"step\":10,\"epoch\":1,\"train_loss\":0.7,\"train_accuracy\":0.6,"
                        + "\"valid_loss\":0.8,\"valid_accuracy\":0.5}"),
                event("e4", "metrics", null)));

        assertThat(curve.steps()).containsExactly(10, 20);
        assertThat(curve.series().keySet()).containsExactly("train_loss", "valid_loss", "train_accuracy",
                "valid_accuracy");
        assertThat(curve.series().get("train_loss")).containsExactly(0.7, 0.3);
        assertThat(curve.series().get("valid_loss")).as("a step without validation is a gap")
                .isEqualTo(Arrays.asList(0.8, null));
    }

    @Test
    void aJobWithoutMetricsHasAnEmptyCurveWhichTheChartSkips() throws Exception {
        var curve = TrainingCurve.of(List.of(event("e1", "message", null)));
        assertThat(curve.steps()).isEmpty();
        assertThat(curve.series()).isEmpty();
        assertThat(JSON.readTree(curve.json()).path("steps").isArray()).isTrue();
    }

    @Test
    void aStepReportedAgainKeepsItsLatestFigures() {
        var curve = TrainingCurve.of(List.of(event("a", "metrics", "{\"step\":1,\"train_loss\":0.9}"),
                event("b", "metrics", "{\"step\":1,\"train_loss\":0.8}")));
        assertThat(curve.series().get("train_loss")).containsExactly(0.8);
    }
}
