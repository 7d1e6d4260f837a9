package dev.meridian.worker.messaging;

import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.observe.CallContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One trace from the models service's outbox through the worker to whoever reads the job's events: a job runs in a
 * {@code finetune.job} span whose parent is the W3C {@code traceparent} header of the record that carried it (a new
 * trace when it has none), and every record the worker publishes while the job runs carries that span's
 * {@code traceparent}.
 */
public final class JobTracing {

    static final String SPAN = "finetune.job";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<Headers> FROM_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    /** Replaces the header: a record copied from another (a dead letter) must not carry two trace contexts. */
    private static final TextMapSetter<Headers> TO_HEADERS = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final Tracer tracer;

    public JobTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Starts the span of {@code job}, a child of {@code record}'s trace context; the caller ends it. */
    public Span start(ConsumerRecord<String, String> record, FineTuneJobMessage job) {
        Context parent = W3C.extract(Context.root(), record.headers(), FROM_HEADERS);
        return tracer.spanBuilder(SPAN).setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("meridian.job.id", job.jobId())
                .setAttribute(CallContext.TENANT_ID_ATTRIBUTE, job.tenantId().toString())
                .setAttribute("meridian.base_model", job.baseModel())
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.kafka.offset", record.offset()).startSpan();
    }

    /** Writes the current trace context, if any, on {@code headers} as {@code traceparent}. */
    public static void inject(Headers headers) {
        W3C.inject(Context.current(), headers, TO_HEADERS);
    }
}
