package dev.meridian.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.events.TenancyChange;
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

/** Reads tenancy.changes the way a gateway does: every partition, no consumer group. */
final class ChangeConsumer implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final KafkaConsumer<String, String> consumer;
    private final List<TenancyChange> seen = new ArrayList<>();

    private ChangeConsumer(boolean fromEnd) {
        // as a gateway reads them: with the gateway's principal
        consumer = new KafkaConsumer<>(TestStack.get().kafkaAs("gateway", Map.of()), new StringDeserializer(),
                new StringDeserializer());
        var partitions = consumer.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
        } else {
            consumer.seekToBeginning(partitions);
        }
        partitions.forEach(consumer::position); // fix the start now, before the test makes its changes
    }

    /** Only what is published from now on. */
    static ChangeConsumer fromEnd() {
        return new ChangeConsumer(true);
    }

    /** Everything the topic holds. */
    static ChangeConsumer fromBeginning() {
        return new ChangeConsumer(false);
    }

    /** The next {@code n} changes of the tenant (fewer if they do not come within {@code timeout}). */
    List<TenancyChange> await(String tenantId, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && countOf(tenantId) < n) {
            poll(Duration.ofMillis(50));
        }
        List<TenancyChange> taken = new ArrayList<>();
        var it = seen.iterator();
        while (it.hasNext() && taken.size() < n) {
            var change = it.next();
            if (change.tenantId().toString().equals(tenantId)) {
                taken.add(change);
                it.remove();
            }
        }
        return taken;
    }

    /** Fails if another change of the tenant arrives within {@code quiet}. */
    void expectNoMore(String tenantId, Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100));
        }
        assertThat(seen).filteredOn(c -> c.tenantId().toString().equals(tenantId)).isEmpty();
    }

    private long countOf(String tenantId) {
        return seen.stream().filter(c -> c.tenantId().toString().equals(tenantId)).count();
    }

    private void poll(Duration timeout) {
        for (var record : consumer.poll(timeout)) {
            try {
                var change = json.readValue(record.value(), TenancyChange.class);
                assertThat(record.key()).as("the message key is the tenant id").isEqualTo(change.tenantId().toString());
                seen.add(change);
            } catch (IOException e) {
                throw new UncheckedIOException("not a TenancyChange: " + record.value(), e);
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
