package dev.meridian.common.outbox;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;

/**
 * The W3C trace context ({@code traceparent}, {@code tracestate}) of the transaction that wrote an outbox row, stored
 * with the row and sent as the Kafka record's headers, so a consumer's span joins the trace of the request that caused
 * the message however late the relay publishes it. Both are null where no span is current (a service without
 * OpenTelemetry, a scheduled job).
 */
public record TraceHeaders(String traceparent, String tracestate) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /** The current OpenTelemetry context as W3C headers; both null when it holds no valid span. */
    public static TraceHeaders current() {
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return new TraceHeaders(carrier.get(TRACEPARENT), carrier.get(TRACESTATE));
    }

    /** Adds the headers that are present to a record's. */
    void addTo(Headers headers) {
        if (traceparent != null) {
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
        if (tracestate != null && !tracestate.isEmpty()) {
            headers.add(TRACESTATE, tracestate.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
