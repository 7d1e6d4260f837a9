package dev.meridian.common.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * At-least-once consumption in batches, on its own thread: each poll goes to the handler, and the offsets are
 * committed only after the handler returned (the handler makes its effect durable and idempotent, e.g. by event id or
 * version). A batch the handler fails on is not committed: the consumer seeks back to its start and retries it after
 * a second, warning once. A broken consumer is replaced after a second. {@link #close} stops it between two calls
 * of the handler as a crash would: what was handled but not yet committed is consumed again. {@link #assignment}
 * says which partitions it holds right now, for readiness checks: a consumer that holds none consumes nothing.
 *
 * <p>Started with a {@link Recovery} (as every new consumer should be), a failing handler does not leave the consumer
 * spinning on one batch: the Kafka consumer is closed (the batch is not committed and comes again), the consumer
 * waits a backoff that doubles up to a cap, and starts afresh; {@link #health} says it is not consuming meanwhile, so
 * a readiness check reports it. A record the handler declares {@link UnprocessableRecord} goes to the topic's
 * dead-letter topic with the reason in its headers, and the records after it are consumed as usual.
 *
 * <p>Only for programs without the Kafka messaging extension: services/worker (a plain Java program) and the
 * ingestion benchmark. The Quarkus services consume with quarkus-messaging-kafka channels ({@code @Incoming}, throttled
 * commits, {@link RecordRetry}, dead-letter-queue); delete this class once the worker is a Quarkus application too.
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
    private final KafkaConnection kafka;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final List<String> topics;
    private final Handler<K, V> handler;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<K, V> consumer;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Recovery recovery;
    private volatile Health health;
    private KafkaProducer<String, String> deadLetters;
    private final Set<String> deadLetterTopicsMade = ConcurrentHashMap.newKeySet();

    /**
     * How a consumer recovers: after a failure it waits {@code firstBackoff}, doubled after each further failure up to
     * {@code maxBackoff} (reset once a batch is handled), then starts a new Kafka consumer; records that are
     * {@link UnprocessableRecord} go to {@link KafkaTopics#deadLetter} topics created with
     * {@code deadLetterReplication} replicas when missing.
     */
    public record Recovery(Duration firstBackoff, Duration maxBackoff, short deadLetterReplication) {

        /** 1 s doubling up to 30 s; dead-letter topics on one replica (a local broker). */
        public static Recovery standard() {
            return new Recovery(Duration.ofSeconds(1), Duration.ofSeconds(30), (short) 1);
        }
    }

    /** What a consumer is doing: only {@link State#CONSUMING} takes records. */
    public enum State { STARTING, CONSUMING, BACKING_OFF, STOPPED }

    /**
     * For readiness checks: the state since {@code since}, the partitions held, and why it is not consuming (the last
     * failure) when it is not.
     */
    public record Health(State state, Instant since, Set<TopicPartition> assignment, String problem) {
        public boolean consuming() {
            return state == State.CONSUMING;
        }
    }

    private BatchConsumer(String name, KafkaConnection kafka, Properties properties, Deserializer<K> keys,
            Deserializer<V> values, List<String> topics, Handler<K, V> handler, Recovery recovery) {
        this.name = name;
        this.kafka = kafka;
        this.properties = properties;
        this.keys = keys;
        this.values = values;
        this.topics = topics;
        this.handler = handler;
        this.recovery = recovery;
        this.health = new Health(State.STARTING, Instant.now(), Set.of(), null);
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /**
     * Starts consuming {@code topics} from {@code kafka} on thread {@code name}; {@code properties} hold at least the
     * group id (auto-commit is turned off, a new group starts at the earliest offset, and only committed
     * transactional records are read, unless the properties say otherwise).
     */
    public static <K, V> BatchConsumer<K, V> start(String name, KafkaConnection kafka, Properties properties,
            Deserializer<K> keys, Deserializer<V> values, List<String> topics, Handler<K, V> handler) {
        return start(name, kafka, properties, keys, values, topics, handler, null);
    }

    /**
     * As {@link #start(String, KafkaConnection, Properties, Deserializer, Deserializer, List, Handler)}, recovering as
     * {@code recovery} says.
     */
    public static <K, V> BatchConsumer<K, V> start(String name, KafkaConnection kafka, Properties properties,
            Deserializer<K> keys, Deserializer<V> values, List<String> topics, Handler<K, V> handler,
            Recovery recovery) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(properties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new BatchConsumer<>(name, kafka, kafka.properties(p), keys, values, topics, handler, recovery);
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
    public static BatchConsumer<String, String> eachRecord(String name, KafkaConnection kafka, String group,
            String topic, RecordHandler handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return start(name, kafka, p, new StringDeserializer(), new StringDeserializer(), List.of(topic), records -> {
            for (ConsumerRecord<String, String> r : records) {
                handler.handle(r);
            }
        });
    }

    /**
     * As {@link #eachRecord(String, KafkaConnection, String, String, RecordHandler)}, recovering as {@code recovery} says: a
     * record the handler throws {@link UnprocessableRecord} for goes to the dead-letter topic and the next record is
     * handled; any other failure restarts the consumer after a backoff. {@code properties} add to (or override) the
     * consumer's settings.
     */
    public static BatchConsumer<String, String> eachRecord(String name, KafkaConnection kafka, String group,
            String topic, Properties properties, Recovery recovery, RecordHandler handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.putAll(properties);
        var consumer = new Object() {
            BatchConsumer<String, String> it;
        };
        consumer.it = start(name, kafka, p, new StringDeserializer(), new StringDeserializer(), List.of(topic), records -> {
            for (ConsumerRecord<String, String> r : records) {
                try {
                    handler.handle(r);
                } catch (UnprocessableRecord e) {
                    consumer.it.deadLetter(r, e);
                }
            }
        }, recovery);
        return consumer.it;
    }

    /** Header names of a dead-lettered record: why, and where it came from. */
    public static final String DLQ_REASON = "meridian.dlq.reason";
    public static final String DLQ_TOPIC = "meridian.dlq.topic";
    public static final String DLQ_PARTITION = "meridian.dlq.partition";
    public static final String DLQ_OFFSET = "meridian.dlq.offset";
    public static final String DLQ_CONSUMER = "meridian.dlq.consumer";

    /**
     * Puts {@code r} on its topic's dead-letter topic, same key and value, the reason and origin in headers, and waits
     * for Kafka's acknowledgement (so a record is never dropped without a trace; a failure here is a failure of the
     * batch, retried).
     */
    private void deadLetter(ConsumerRecord<String, String> r, UnprocessableRecord why) throws Exception {
        String topic = KafkaTopics.deadLetter(r.topic());
        if (deadLetterTopicsMade.add(topic)) {
            try {
                KafkaTopics.ensure(kafka, Set.of(topic), 1, recovery.deadLetterReplication());
            } catch (RuntimeException e) {
                deadLetterTopicsMade.remove(topic);
                throw e;
            }
        }
        if (deadLetters == null) {
            Properties p = kafka.properties();
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
            deadLetters = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        }
        var out = new ProducerRecord<>(topic, r.key(), r.value());
        r.headers().forEach(out.headers()::add);
        String reason = why.getMessage() == null ? why.toString() : why.getMessage();
        out.headers().add(DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8))
                .add(DLQ_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8))
                .add(DLQ_PARTITION, String.valueOf(r.partition()).getBytes(StandardCharsets.UTF_8))
                .add(DLQ_OFFSET, String.valueOf(r.offset()).getBytes(StandardCharsets.UTF_8))
                .add(DLQ_CONSUMER, name.getBytes(StandardCharsets.UTF_8));
        deadLetters.send(out).get(30, TimeUnit.SECONDS);
        LOG.warning(name + " moved the record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " to "
                + topic + ": " + reason);
    }

    /** What the consumer is doing now; only {@link Health#consuming()} means it takes records. */
    public Health health() {
        var h = health;
        return new Health(h.state(), h.since(), assignment(), h.problem());
    }

    private void state(State state, String problem) {
        health = new Health(state, Instant.now(), Set.of(), problem);
    }

    private void run() {
        try {
            if (recovery == null) {
                runRetryingInPlace();
            } else {
                runRestarting();
            }
        } finally {
            state(State.STOPPED, null);
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(2));
            }
        }
    }

    /** Without a {@link Recovery}: a failed batch is retried in place after a second, for ever. */
    private void runRetryingInPlace() {
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(properties, keys, values)) {
                consumer = c;
                c.subscribe(topics, rebalanceListener());
                while (running) {
                    ConsumerRecords<K, V> records = c.poll(Duration.ofMillis(500));
                    if (!health.consuming()) {
                        state(State.CONSUMING, null);
                    }
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
                        state(State.BACKING_OFF, String.valueOf(e.getMessage()));
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
                state(State.BACKING_OFF, String.valueOf(e.getMessage()));
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

    /**
     * With a {@link Recovery}: any failure (of the handler, a commit, the consumer itself) closes the Kafka consumer,
     * which leaves its group with nothing of the failed batch committed, and a new one starts after the backoff.
     */
    private void runRestarting() {
        Duration backoff = recovery.firstBackoff();
        while (running) {
            state(State.STARTING, null);
            Exception failure = null;
            try (var c = new KafkaConsumer<>(properties, keys, values)) {
                consumer = c;
                c.subscribe(topics, rebalanceListener());
                while (running) {
                    ConsumerRecords<K, V> records = c.poll(Duration.ofMillis(500));
                    if (!health.consuming()) {
                        state(State.CONSUMING, null);
                    }
                    if (records.isEmpty()) {
                        continue;
                    }
                    handler.handle(records);
                    c.commitSync(nextOffsets(records));
                    backoff = recovery.firstBackoff();
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failure = e;
            } finally {
                consumer = null;
                assigned.clear();
            }
            if (failure != null && running) {
                LOG.log(Level.WARNING, name + " stopped consuming (" + failure + "); it restarts in "
                        + backoff.toMillis() + " ms", failure);
                state(State.BACKING_OFF, failure.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(recovery.maxBackoff()) > 0 ? recovery.maxBackoff()
                        : backoff.multipliedBy(2);
            }
        }
    }

    private ConsumerRebalanceListener rebalanceListener() {
        return new ConsumerRebalanceListener() {
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
        };
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
        } else if (health.state() == State.BACKING_OFF) {
            thread.interrupt(); // waiting to restart: nothing to finish
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
