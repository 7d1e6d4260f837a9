package dev.meridian.common.outbox;

import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka half of a transactional outbox, shared by every service that has one. A service's rows are written in the
 * same transaction as its change; this publisher sends them: right after each commit that wrote one ({@link #wake}),
 * and on a poll as the safety net for a publish that failed (broker down, process crash). The service claims its rows
 * ({@link Rows}: {@code FOR UPDATE SKIP LOCKED}, so replicas never publish one row at once) and marks them published
 * only after {@code send} returned, which is once the broker acknowledged every message (acks=all, idempotent
 * producer). Delivery is at least once: consumers dedupe by event id. The topics are created on first use, as brokers
 * may not create them.
 */
public final class OutboxPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class.getName());

    /** One outbox row as it goes to Kafka. */
    public record Message(String topic, String key, String payload) {
    }

    /** The topics the outbox writes to and how they are created. */
    public record Topics(Set<String> names, int partitions, short replicationFactor) {
    }

    /**
     * In one transaction of the service: claims up to {@code limit} unpublished rows in the order they were written,
     * calls {@code send} with them (it returns once Kafka acknowledged all, or throws), marks them published and
     * returns how many there were.
     */
    @FunctionalInterface
    public interface Rows {
        int publishDue(int limit, Consumer<List<Message>> send);
    }

    private final String name;
    private final KafkaConnection kafka;
    private final Topics topics;
    private final Duration poll;
    private final int batch;
    private final Rows rows;
    private final KafkaProducer<String, String> producer;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean topicsReady;
    private volatile boolean warned;
    private final java.util.concurrent.atomic.LongAdder published = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failedAttempts = new java.util.concurrent.atomic.LongAdder();

    private OutboxPublisher(String name, KafkaConnection kafka, Topics topics, Duration poll, int batch, Rows rows) {
        this.name = name;
        this.kafka = kafka;
        this.topics = topics;
        this.poll = poll;
        this.batch = batch;
        this.rows = rows;
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /**
     * Starts the relay thread {@code name}: it publishes whenever woken and at least every {@code poll}, in batches of
     * up to {@code batch} rows, until the backlog is gone.
     */
    public static OutboxPublisher start(String name, KafkaConnection kafka, Topics topics, Duration poll, int batch,
            Rows rows) {
        return new OutboxPublisher(name, kafka, topics, poll, batch, rows);
    }

    /** Publishes soon: call it after a commit that wrote outbox rows. */
    public void wake() {
        wake.release();
    }

    /** Publishes one batch on the caller's thread; returns how many rows went out. */
    public int publishBatch() {
        ensureTopics();
        int sent = rows.publishDue(batch, this::send);
        published.add(sent);
        if (sent > 0 && warned) {
            LOG.info(name + " publishes again");
            warned = false;
        }
        return sent;
    }

    private void send(List<Message> messages) {
        var sends = messages.stream()
                .map(m -> producer.send(new ProducerRecord<>(m.topic(), m.key(), m.payload())))
                .toList();
        for (var s : sends) {
            try {
                s.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Kafka acknowledged", e);
            }
        }
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!running) {
                    return;
                }
                while (publishBatch() == batch) {
                    // keep going while there is a backlog
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failedAttempts.increment();
                if (!warned) {
                    LOG.log(Level.WARNING, name + " cannot publish yet (" + e.getMessage()
                            + "); the messages wait in the outbox and are retried");
                    warned = true;
                }
            }
        }
    }

    private void ensureTopics() {
        if (!topicsReady) {
            KafkaTopics.ensure(kafka, topics.names(), topics.partitions(), topics.replicationFactor());
            topicsReady = true;
        }
    }

    /** Messages published since start. */
    public long published() {
        return published.sum();
    }

    /** Publishing rounds that failed (the broker away, say) since start; their messages waited and were retried. */
    public long failedAttempts() {
        return failedAttempts.sum();
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
