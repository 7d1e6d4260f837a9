package dev.meridian.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.worker.Worker;
import dev.meridian.worker.metrics.WorkerMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One trace runs from the record that carried a job through the job's span to every record the worker publishes. */
class JobTracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    private final MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(),
            new StringSerializer());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KafkaEvents events = new KafkaEvents(producer, KafkaConnection.plaintext("localhost:1"),
            "eu-central", Worker.json(), new WorkerMeters(registry));

    @AfterEach
    void close() {
        provider.close();
    }

    private static FineTuneJobMessage job(UUID tenant) {
        return new FineTuneJobMessage(UUID.randomUUID(), "ftjob-traced", tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-x", null, 10, "00", 20), null,
                new FineTuneJobMessage.Hyperparameters(3, 8, 1.0), 7, List.of("a", "b"),
                "ft:all-minilm-l6-v2:t:ftjob-traced", Instant.EPOCH);
    }

    @Test
    void theEventsOfAJobCarryTheTraceOfTheRecordThatCarriedIt() throws Exception {
        UUID tenant = UUID.randomUUID();
        var record = new ConsumerRecord<>("eu-central.finetune.jobs", 0, 42L, "ftjob-traced", "{}");
        record.headers().add("traceparent",
                ("00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01").getBytes(StandardCharsets.UTF_8));
        var tracing = new JobTracing(provider.get("test"));

        var span = tracing.start(record, job(tenant));
        // as the job loop runs a job: on another thread, in the span's context
        var thread = Thread.ofPlatform().start(Context.current().with(span).wrap(() -> {
            events.send(new FineTuneEvent(UUID.randomUUID(), FineTuneEvent.RUNNING, "ftjob-traced", tenant, "info",
                    "Fine-tuning job started", 0, null, null, null, null, null, "w1", Instant.EPOCH), true);
            events.usage(new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.TRAINING_EXAMPLE_EPOCHS, 30,
                    "all-minilm-l6-v2", null, Instant.EPOCH, "w1"));
        }));
        thread.join();
        span.end();

        assertThat(producer.history()).hasSize(2).allSatisfy(r -> assertThat(traceparent(r))
                .startsWith("00-" + TRACE_ID + "-").doesNotContain(PARENT_SPAN_ID));
        var job = spans.getFinishedSpanItems().getFirst();
        assertThat(job.getName()).isEqualTo("finetune.job");
        assertThat(job.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(job.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(job.getParentSpanId()).isEqualTo(PARENT_SPAN_ID);
        assertThat(job.getAttributes().get(AttributeKey.stringKey("meridian.job.id"))).isEqualTo("ftjob-traced");
        assertThat(job.getAttributes().get(AttributeKey.stringKey("meridian.tenant_id"))).isEqualTo(tenant.toString());
        assertThat(traceparent(producer.history().getFirst())).contains(job.getSpanId());
        assertThat(registry.get("meridian.worker.events.published").tag("topic", "events").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aRecordWithoutTraceContextStartsATraceOfItsOwn() {
        var record = new ConsumerRecord<>("eu-central.finetune.jobs", 0, 1L, "ftjob-traced", "{}");
        var span = new JobTracing(provider.get("test")).start(record, job(UUID.randomUUID()));
        span.end();
        var job = spans.getFinishedSpanItems().getFirst();
        assertThat(job.getParentSpanContext().isValid()).isFalse();
        assertThat(job.getTraceId()).isNotEqualTo(TRACE_ID);
    }

    @Test
    void aRecordCopiedWithItsTraceContextCarriesOneTraceparent() {
        var out = new ProducerRecord<String, String>("t", "k", "v");
        out.headers().add("traceparent", "00-11111111111111111111111111111111-2222222222222222-01"
                .getBytes(StandardCharsets.UTF_8));
        var span = provider.get("test").spanBuilder("s").startSpan();
        try (var scope = span.makeCurrent()) {
            JobTracing.inject(out.headers());
        }
        assertThat(out.headers().headers("traceparent")).hasSize(1);
        assertThat(traceparent(out)).contains(span.getSpanContext().getTraceId());
    }

    private static String traceparent(ProducerRecord<String, String> r) {
        var h = r.headers().lastHeader("traceparent");
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
