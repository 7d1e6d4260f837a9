package dev.meridian.common.outbox;

import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.observe.TraceHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
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

    /** One outbox row as it goes to Kafka, with the trace context of the transaction that wrote it. */
    public record Message(String topic, String key, String payload, TraceHeaders trace) {
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
    private final Clock clock;
    private final KafkaProducer<String, String> producer;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean topicsReady;
    private volatile boolean warned;
    private volatile Instant lastProgress;
    private volatile Instant lastPublished;
    private volatile String lastFailure;
    private final LongAdder published = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();

    private OutboxPublisher(String name, KafkaConnection kafka, Topics topics, Duration poll, int batch, Rows rows,
            Clock clock) {
        this.name = name;
        this.clock = clock;
        this.lastProgress = clock.instant();
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
     * up to {@code batch} rows, until the backlog is gone. A thread of its own rather than a scheduled job: it must
     * publish right after the commit that wakes it (revocations reach the gateways within a second), which a
     * scheduler's periodic trigger cannot do.
     */
    public static OutboxPublisher start(String name, KafkaConnection kafka, Topics topics, Duration poll, int batch,
            Rows rows, Clock clock) {
        return new OutboxPublisher(name, kafka, topics, poll, batch, rows, clock);
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
        if (sent > 0) {
            lastPublished = clock.instant();
        }
        lastFailure = null;
        if (sent > 0 && warned) {
            LOG.info(name + " publishes again");
            warned = false;
        }
        return sent;
    }

    private void send(List<Message> messages) {
        var sends = new ArrayList<Future<?>>(messages.size());
        for (Message m : messages) {
            var record = new ProducerRecord<>(m.topic(), m.key(), m.payload());
            m.trace().addTo(record.headers());
            var sent = producer.send(record);
            sends.add(sent);
            if (sent.isDone()) {
                // done at once is mostly failed at once (no metadata within max.block.ms: the broker is away); throw
                // now rather than make every other message of the batch wait as long
                awaitAck(sent);
            }
        }
        sends.forEach(OutboxPublisher::awaitAck);
    }

    private static void awaitAck(Future<?> sent) {
        try {
            sent.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Kafka acknowledged", e);
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
                    lastProgress = clock.instant(); // a long backlog is progress, not a wedged relay
                }
                lastProgress = clock.instant();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failedAttempts.increment();
                lastFailure = String.valueOf(e.getMessage());
                lastProgress = clock.instant();
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

    /** When the loop last finished a round or a batch, published or failed: it is alive and not wedged. */
    public Instant lastProgress() {
        return lastProgress;
    }

    /** When a round last published a message; empty before the first. */
    public Optional<Instant> lastPublished() {
        return Optional.ofNullable(lastPublished);
    }

    /** Why the last round failed (Kafka away, say), empty when it succeeded. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
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
