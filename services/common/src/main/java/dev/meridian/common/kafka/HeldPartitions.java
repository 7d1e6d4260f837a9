package dev.meridian.common.kafka;

import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A channel's rebalance listener ({@code mp.messaging.incoming.<channel>.consumer-rebalance-listener.name}) that knows
 * which partitions the channel's consumers hold now, for readiness data and for tests that wait until a consumer
 * takes records: one that holds none consumes nothing. A subclass is a {@code @Singleton} bean (one instance for the
 * connector and whoever asks) and may act on each assignment in {@link #assigned}.
 */
public abstract class HeldPartitions implements KafkaConsumerRebalanceListener {

    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();

    /** The partitions held now (empty before the group's first assignment and while Kafka is away). */
    public Set<TopicPartition> held() {
        return Set.copyOf(held);
    }

    /** Called on the polling thread when {@code partitions} are given to {@code consumer}, before it polls them. */
    protected void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned(consumer, partitions);
        held.addAll(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        held.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        held.removeAll(partitions);
    }
}
