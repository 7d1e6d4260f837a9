package dev.meridian.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.events.ModelChange;
import dev.meridian.testing.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads eu-central.models.changes as an inference service does: every partition, from the end, no group. */
final class ModelChangesConsumer implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final KafkaConsumer<String, String> consumer;
    private final List<ModelChange> seen = new ArrayList<>();

    ModelChangesConsumer() {
        consumer = new KafkaConsumer<>(TestStack.get().kafkaAs("inference", Map.of()),
                new StringDeserializer(), new StringDeserializer());
        String topic = ModelChange.topic(Registry.REGION);
        List<TopicPartition> partitions = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (partitions.isEmpty() && System.nanoTime() < deadline) {
            partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** The tenant's changes seen within {@code timeout}, stopping early once there are {@code n}. */
    List<ModelChange> await(String tenant, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && of(tenant).size() < n) {
            for (var r : consumer.poll(Duration.ofMillis(50))) {
                try {
                    seen.add(json.readValue(r.value(), ModelChange.class));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return of(tenant);
    }

    private List<ModelChange> of(String tenant) {
        return seen.stream().filter(c -> c.tenantId().toString().equals(tenant)).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
