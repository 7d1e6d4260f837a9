package dev.meridian.billing.usage.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.events.UsageEvent;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Consumes {@code usage.events} in large batches: each poll is ingested in one database transaction, and only after
 * that commit are the Kafka offsets committed. A crash between the two replays the batch, which the id dedup turns
 * into a no-op; so nothing is lost and nothing is billed twice. A failed batch is not committed: the consumer seeks
 * back and retries it.
 */
@ApplicationScoped
public class UsageConsumer {

    private static final Logger LOG = Logger.getLogger(UsageConsumer.class);

    @Inject
    BillingConfig config;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final AtomicLong ingested = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private UsageIngestor ingestor;
    private ObjectMapper eventReader;

    void start(@Observes StartupEvent event) {
        if (!config.ingest().enabled()) {
            return;
        }
        ingestor = new UsageIngestor(config.defaultPlan());
        // Producers may add fields later; an event billing does not fully understand is still billed by what it knows.
        eventReader = json.copy().configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                false);
        startLoop();
    }

    void stop(@Observes ShutdownEvent event) {
        stopLoop();
    }

    /**
     * Stops the consumer as abruptly as a crash would between batches (a batch ingested but not yet committed to
     * Kafka is consumed again) and starts it again. For operators' tools and the restart test.
     */
    public synchronized void restart() {
        stopLoop();
        startLoop();
    }

    private synchronized void startLoop() {
        running = true;
        thread = Thread.ofPlatform().name("usage-consumer").daemon().start(this::run);
    }

    private synchronized void stopLoop() {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Events billed (new) since start. */
    public long ingested() {
        return ingested.get();
    }

    /** Events that could not be billed (malformed), logged and skipped. */
    public long skipped() {
        return skipped.get();
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.ingest().group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.ingest().maxPollRecords());
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        // room for a whole batch of ~300-byte events in one fetch, even when they all come from one partition
        int batchBytes = Math.max(1 << 20, config.ingest().maxPollRecords() * 400);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, batchBytes);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(50 << 20, batchBytes));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of(UsageEvent.TOPIC));
                while (running) {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    try {
                        ingest(records);
                        c.commitSync(nextOffsets(records));
                        if (warned) {
                            LOG.info("usage consumer ingests again");
                            warned = false;
                        }
                    } catch (Exception e) {
                        if (!warned) {
                            LOG.warnf("cannot ingest a batch of %d usage events (%s); retrying it", records.count(),
                                    e.getMessage());
                            warned = true;
                        }
                        rewind(c, records);
                        Thread.sleep(1000);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("usage consumer restarts after: %s", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                consumer = null;
            }
        }
    }

    private void ingest(ConsumerRecords<String, byte[]> records) throws Exception {
        List<UsageEvent> events = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            UsageEvent e;
            try {
                e = eventReader.readValue(r.value(), UsageEvent.class);
            } catch (Exception bad) {
                skip(r, bad.getMessage());
                continue;
            }
            String reason = UsageIngestor.invalidReason(e);
            if (reason != null) {
                skip(r, reason);
                continue;
            }
            events.add(e);
        }
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                long fresh = ingestor.ingest(conn, events);
                conn.commit();
                ingested.addAndGet(fresh);
            } catch (Exception e) {
                conn.rollback();
                throw e;
            }
        }
    }

    private void skip(ConsumerRecord<String, byte[]> r, String why) {
        skipped.incrementAndGet();
        LOG.warnf("skipping usage event at %s-%d offset %d: %s", r.topic(), r.partition(), r.offset(), why);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            var list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.getLast().offset() + 1));
        }
        return offsets;
    }

    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            c.seek(tp, records.records(tp).getFirst().offset());
        }
    }
}
