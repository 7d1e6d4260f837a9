package dev.meridian.gateway.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.testing.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code usage.events} from the real broker, from the beginning, as billing would. */
public final class UsageTopic {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private UsageTopic() {
    }

    /**
     * Every event of {@code tenant} on the topic, once {@code until} holds for them or {@code timeout} has passed
     * (then whatever arrived).
     */
    public static List<UsageEvent> of(UUID tenant, Predicate<List<UsageEvent>> until,
            Duration timeout) {
        return records(tenant, record -> read(record.value()), until, timeout);
    }

    /** The {@code traceparent} header of each of {@code tenant}'s records ("" where none), as {@link #of}. */
    public static List<String> traceParents(UUID tenant, int atLeast, Duration timeout) {
        return records(tenant, record -> {
            var header = record.headers().lastHeader("traceparent");
            return header == null ? "" : new String(header.value(), StandardCharsets.US_ASCII);
        }, found -> found.size() >= atLeast, timeout);
    }

    private static <T> List<T> records(UUID tenant, Function<ConsumerRecord<String, String>, T> as,
            Predicate<List<T>> until, Duration timeout) {
        try (var consumer = new KafkaConsumer<>(TestStack.get().kafkaAdmin(Map.of(
                "enable.auto.commit", false)), new StringDeserializer(), new StringDeserializer())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                var found = consumer.partitionsFor(UsageEvent.TOPIC, Duration.ofSeconds(5));
                partitions = found == null ? List.of()
                        : found.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<T> events = new ArrayList<>();
            while (System.nanoTime() < deadline && !until.test(events)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(tenant.toString())) {
                        events.add(as.apply(record));
                    }
                }
            }
            return events;
        }
    }

    static UsageEvent read(String json) {
        try {
            return JSON.readValue(json, UsageEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
