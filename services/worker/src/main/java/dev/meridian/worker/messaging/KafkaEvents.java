package dev.meridian.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.worker.metrics.WorkerMeters;
import dev.meridian.worker.training.EventSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Job events to {@code <region>.finetune.events} (keyed by job), usage to {@code usage.events} (keyed by tenant), each
 * with the running job's {@code traceparent} ({@link JobTracing}). A plain producer, not a SmallRye Reactive Messaging
 * emitter: a job's outcome event must be acknowledged before its job record's offset is committed, on the job loop's
 * own consumer (see {@link JobLoop}).
 */
public class KafkaEvents implements EventSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEvents.class.getName());

    private final Producer<String, String> producer;
    private final WorkerMeters meters;
    private final ObjectMapper json;
    private final String topic;
    private final KafkaConnection kafka;
    private final Set<String> deadLetterTopics = ConcurrentHashMap.newKeySet();

    /**
     * @param producer where records go; {@link #producer} makes the worker's own
     * @param kafka the connection, also for creating a dead-letter topic
     */
    public KafkaEvents(Producer<String, String> producer, KafkaConnection kafka, String region, ObjectMapper json,
            WorkerMeters meters) {
        this.producer = producer;
        this.kafka = kafka;
        this.json = json;
        this.meters = meters;
        this.topic = FineTuneTopics.events(region);
    }

    /** An idempotent producer that waits for every in-sync replica. */
    public static Producer<String, String> producer(KafkaConnection kafka) {
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @Override
    public void send(FineTuneEvent event, boolean durable) {
        publish(new ProducerRecord<>(topic, event.jobId(), write(event)), "events", durable);
    }

    @Override
    public void usage(UsageEvent event) {
        publish(new ProducerRecord<>(UsageEvent.TOPIC, event.tenantId().toString(), write(event)), "usage", true);
    }

    /** {@code kind}: the topic's label on the meters (events, usage, dlq). */
    private void publish(ProducerRecord<String, String> record, String kind, boolean durable) {
        JobTracing.inject(record.headers());
        java.util.concurrent.Future<?> sent;
        try {
            sent = producer.send(record, (metadata, e) -> {
                if (e == null) {
                    meters.published(kind);
                } else {
                    meters.failed(kind);
                }
            });
        } catch (RuntimeException e) {
            meters.failed(kind);
            throw e;
        }
        if (durable) {
            try {
                sent.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Kafka did not acknowledge an event on " + record.topic() + ": "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Puts a record this worker can never use on its topic's dead-letter topic ({@code <topic>.dlq}, created when
     * missing), same key and value, with the reason and origin in the headers {@link BatchConsumer} uses, and waits
     * for Kafka's acknowledgement.
     */
    public void deadLetter(ConsumerRecord<String, String> r, String reason, String consumer) {
        String dlq = KafkaTopics.deadLetter(r.topic());
        if (deadLetterTopics.add(dlq)) {
            try {
                KafkaTopics.ensure(kafka, Set.of(dlq), 1, (short) 1);
            } catch (RuntimeException e) {
                deadLetterTopics.remove(dlq);
                throw e;
            }
        }
        var out = new ProducerRecord<>(dlq, r.key(), r.value());
        r.headers().forEach(out.headers()::add);
        out.headers().add(BatchConsumer.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8))
                .add(BatchConsumer.DLQ_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8))
                .add(BatchConsumer.DLQ_PARTITION, String.valueOf(r.partition()).getBytes(StandardCharsets.UTF_8))
                .add(BatchConsumer.DLQ_OFFSET, String.valueOf(r.offset()).getBytes(StandardCharsets.UTF_8))
                .add(BatchConsumer.DLQ_CONSUMER, consumer.getBytes(StandardCharsets.UTF_8));
        publish(out, "dlq", true);
        LOG.warning(consumer + " moved the record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " to "
                + dlq + ": " + reason);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
