package dev.meridian.common.observe;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.header.Headers;

/**
 * A W3C trace context ({@code traceparent}, {@code tracestate}) carried where the OpenTelemetry extension does not carry
 * it by itself: with an outbox row (stored with the row, sent as the Kafka record's headers, so a consumer's span joins
 * the trace of the request that caused the message however late the relay publishes it), with a usage event in the
 * gateway's spool, on the gateway's calls to services. Both are null where no span is current (a service without
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

    /** Hands each header that is present to {@code header} (name, value), e.g. an HTTP request's. */
    public void forEach(BiConsumer<String, String> header) {
        if (traceparent != null) {
            header.accept(TRACEPARENT, traceparent);
        }
        if (tracestate != null && !tracestate.isEmpty()) {
            header.accept(TRACESTATE, tracestate);
        }
    }

    /** Adds the headers that are present to a Kafka record's. */
    public void addTo(Headers headers) {
        forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.US_ASCII)));
    }
}
