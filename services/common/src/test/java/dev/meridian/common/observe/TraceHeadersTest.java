package dev.meridian.common.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void theCurrentSpanIsCapturedAsW3cTraceparentAndTracestate() {
        var span = SpanContext.create(TRACE_ID, "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "value").build());

        TraceHeaders trace;
        try (Scope ignored = Span.wrap(span).makeCurrent()) {
            trace = TraceHeaders.current();
        }

        assertThat(trace.traceparent()).isEqualTo("00-" + TRACE_ID + "-00f067aa0ba902b7-01");
        assertThat(trace.tracestate()).isEqualTo("vendor=value");
    }

    @Test
    void withoutASpanNothingIsCapturedAndNoHeaderIsAdded() {
        var trace = TraceHeaders.current();
        var headers = new RecordHeaders();

        trace.addTo(headers);

        assertThat(trace.traceparent()).isNull();
        assertThat(trace.tracestate()).isNull();
        assertThat(headers.toArray()).isEmpty();
    }

    @Test
    void aCapturedContextBecomesTheRecordsHeaders() {
        var headers = new RecordHeaders();

        new TraceHeaders("00-" + TRACE_ID + "-00f067aa0ba902b7-01", null).addTo(headers);

        assertThat(headers.toArray()).hasSize(1);
        assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.US_ASCII))
                .isEqualTo("00-" + TRACE_ID + "-00f067aa0ba902b7-01");
    }
}
