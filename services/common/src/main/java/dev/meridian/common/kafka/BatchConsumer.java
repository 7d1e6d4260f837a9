package dev.meridian.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * At-least-once consumption in batches, on its own thread: each poll goes to the handler, and the offsets are
 * committed only after the handler returned (the handler makes its effect durable and idempotent, e.g. by event id or
 * version). A batch the handler fails on is not committed: the consumer seeks back to its start and retries it after
 * a second, warning once. A broken consumer is replaced after a second. {@link #close} stops it between two calls
 * of the handler as a crash would: what was handled but not yet committed is consumed again. {@link #assignment}
 * says which partitions it holds right now, for readiness checks: a consumer that holds none consumes nothing.
 */
public final class BatchConsumer<K, V> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BatchConsumer.class.getName());

    /** Handles one polled batch; throws to have it retried. */
    @FunctionalInterface
    public interface Handler<K, V> {
        void handle(ConsumerRecords<K, V> records) throws Exception;
    }

    private final String name;
    private final Properties properties;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final List<String> topics;
    private final Handler<K, V> handler;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<K, V> consumer;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

    private BatchConsumer(String name, Properties properties, Deserializer<K> keys, Deserializer<V> values,
            List<String> topics, Handler<K, V> handler) {
        this.name = name;
        this.properties = properties;
        this.keys = keys;
        this.values = values;
        this.topics = topics;
        this.handler = handler;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /**
     * Starts consuming {@code topics} on thread {@code name}; {@code properties} hold at least the bootstrap servers
     * and the group id (auto-commit is turned off, a new group starts at the earliest offset, and only committed
     * transactional records are read, unless the properties say otherwise).
     */
    public static <K, V> BatchConsumer<K, V> start(String name, Properties properties, Deserializer<K> keys,
            Deserializer<V> values, List<String> topics, Handler<K, V> handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(properties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new BatchConsumer<>(name, p, keys, values, topics, handler);
    }

    /** Handles one record of a batch; throws to have the whole batch retried. */
    @FunctionalInterface
    public interface RecordHandler {
        void handle(ConsumerRecord<String, String> record) throws Exception;
    }

    /**
     * Consumes the text records of {@code topic} in group {@code group}, one record at a time (each handler call makes
     * its own effect durable and idempotent), with the guarantees of {@link #start}.
     */
    public static BatchConsumer<String, String> eachRecord(String name, String bootstrap, String group, String topic,
            RecordHandler handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return start(name, p, new StringDeserializer(), new StringDeserializer(), List.of(topic), records -> {
            for (ConsumerRecord<String, String> r : records) {
                handler.handle(r);
            }
        });
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(properties, keys, values)) {
                consumer = c;
                c.subscribe(topics, new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        assigned.removeAll(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        assigned.addAll(partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        assigned.removeAll(partitions);
                    }
                });
                while (running) {
                    ConsumerRecords<K, V> records = c.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    try {
                        handler.handle(records);
                        c.commitSync(nextOffsets(records));
                        if (warned) {
                            LOG.info(name + " handles its messages again");
                            warned = false;
                        }
                    } catch (WakeupException | InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        if (!warned) {
                            LOG.warning(name + " cannot handle a batch of " + records.count() + " messages ("
                                    + e.getMessage() + "); retrying it");
                            warned = true;
                        }
                        for (TopicPartition tp : records.partitions()) {
                            c.seek(tp, records.records(tp).getFirst().offset());
                        }
                        Thread.sleep(1000);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + " restarts after: " + e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                consumer = null;
                assigned.clear();
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<?, ?> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            offsets.put(tp, new OffsetAndMetadata(records.records(tp).getLast().offset() + 1));
        }
        return offsets;
    }

    /** The partitions this consumer is assigned now (empty before its group's first rebalance and after close). */
    public Set<TopicPartition> assignment() {
        return Set.copyOf(assigned);
    }

    /**
     * Stops consuming and returns once the consumer has left its group (its partitions go to the other members), so
     * that a consumer started next joins a group without it. Uncommitted batches are consumed again later. Waits for a
     * running handler to return, warning every 10 s, and gives up after a minute (the thread then stops on its own once
     * the handler returns).
     */
    @Override
    public void close() {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            for (int waited = 10; !thread.join(java.time.Duration.ofSeconds(10)); waited += 10) {
                if (waited >= 60) {
                    LOG.warning(name + " did not stop within " + waited + " s; leaving it to stop after its batch");
                    return;
                }
                LOG.warning(name + " is still finishing its batch after " + waited + " s; waiting for it to stop");
                var current = consumer;
                if (current != null) {
                    current.wakeup();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
