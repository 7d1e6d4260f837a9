package dev.meridian.billing.usage.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.kafka.BatchConsumer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
    private BatchConsumer<String, byte[]> consumer;
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.ingest().group());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.ingest().maxPollRecords());
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        // room for a whole batch of ~300-byte events in one fetch, even when they all come from one partition
        int batchBytes = Math.max(1 << 20, config.ingest().maxPollRecords() * 400);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, batchBytes);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(50 << 20, batchBytes));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        consumer = BatchConsumer.start("usage-consumer", p, new StringDeserializer(), new ByteArrayDeserializer(),
                List.of(UsageEvent.TOPIC), this::ingest);
    }

    private synchronized void stopLoop() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
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
}
