package dev.meridian.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Job events to {@code <region>.finetune.events} (keyed by job), usage to {@code usage.events} (keyed by tenant). */
public final class KafkaEvents implements EventSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEvents.class.getName());

    private final KafkaProducer<String, String> producer;
    private final ObjectMapper json;
    private final String topic;
    private final KafkaConnection kafka;
    private final Set<String> deadLetterTopics = ConcurrentHashMap.newKeySet();

    public KafkaEvents(KafkaConnection kafka, String region, ObjectMapper json) {
        this.kafka = kafka;
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.json = json;
        this.topic = FineTuneTopics.events(region);
    }

    @Override
    public void send(FineTuneEvent event, boolean durable) {
        publish(new ProducerRecord<>(topic, event.jobId(), write(event)), durable);
    }

    @Override
    public void usage(UsageEvent event) {
        publish(new ProducerRecord<>(UsageEvent.TOPIC, event.tenantId().toString(), write(event)), true);
    }

    private void publish(ProducerRecord<String, String> record, boolean durable) {
        var sent = producer.send(record);
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
        publish(out, true);
        LOG.warning(consumer + " moved the record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " to "
                + dlq + ": " + reason);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
