package dev.meridian.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.worker.training.EventSink;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Job events to {@code <region>.finetune.events} (keyed by job), usage to {@code usage.events} (keyed by tenant). */
public final class KafkaEvents implements EventSink, AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final ObjectMapper json;
    private final String topic;

    public KafkaEvents(String bootstrap, String region, ObjectMapper json) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
