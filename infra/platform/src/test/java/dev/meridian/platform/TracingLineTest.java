package dev.meridian.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What ./platform up says about traces, from the environment its services inherit. */
class TracingLineTest {

    @Test
    void withoutASampleRatioItSaysNothingIsExportedAndHowToTurnItOn() {
        for (String off : new String[] {null, "", "0", "0.0", " 0 "}) {
            assertThat(Platform.tracing(off, null)).as(String.valueOf(off))
                    .startsWith("Traces: not exported")
                    .contains("QUARKUS_OTEL_TRACES_SAMPLER_ARG=1 ./platform up", "http://localhost:4317");
        }
    }

    @Test
    void withARatioItSaysWhereTracesGo() {
        assertThat(Platform.tracing("1", null)).isEqualTo("Traces: a share of 1 exported over OTLP to"
                + " http://localhost:4317");
        assertThat(Platform.tracing("0.05", "http://collector:4317")).isEqualTo("Traces: a share of 0.05 exported"
                + " over OTLP to http://collector:4317");
    }
}
