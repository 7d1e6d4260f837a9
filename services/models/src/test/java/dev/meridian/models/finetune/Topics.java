package dev.meridian.models.finetune;

import dev.meridian.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic of the real broker from the beginning, as an outside observer (no consumer group). */
public final class Topics {

    private Topics() {
    }

    /** Every record up to and including the first that {@code until} accepts; fails after {@code timeout}. */
    public static List<ConsumerRecord<String, String>> readUntil(String topic, Predicate<ConsumerRecord<String, String>> until,
            Duration timeout) {
        try (var consumer = new KafkaConsumer<>(TestStack.get().kafkaAdmin(Map.of(
                "enable.auto.commit", "false", "allow.auto.create.topics", "false")), new StringDeserializer(),
                new StringDeserializer())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            List<TopicPartition> assigned = List.of();
            while (System.nanoTime() < deadline) {
                if (assigned.isEmpty()) {
                    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(2));
                    if (infos != null && !infos.isEmpty()) {
                        assigned = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                        consumer.assign(assigned);
                        consumer.seekToBeginning(assigned);
                    } else {
                        continue;
                    }
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r);
                    if (until.test(r)) {
                        return seen;
                    }
                }
            }
            throw new AssertionError("no matching record on " + topic + " within " + timeout + "; saw " + seen.size());
        }
    }
}
