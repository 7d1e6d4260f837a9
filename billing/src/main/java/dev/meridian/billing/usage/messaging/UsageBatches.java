package dev.meridian.billing.usage.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.events.UsageEvent;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

/**
 * What one poll of {@code usage.events} becomes: its events decoded and checked, then ingested in one database
 * transaction (dedup by id, hourly sums). Malformed events are logged and skipped, never retried forever. Shared by
 * every consumer thread of {@link UsageConsumer} and by the ingestion benchmark, so both run the same path.
 */
public final class UsageBatches {

    private static final Logger LOG = Logger.getLogger(UsageBatches.class);

    private final ObjectMapper reader;
    private final UsageIngestor ingestor;
    private final DataSource dataSource;
    private final Supplier<Instant> oldestBillable;
    private final AtomicLong ingested = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    /**
     * {@code oldestBillable} gives, for each poll, the earliest event time still billed: the raw-usage retention's
     * cutoff, before which event ids are purged from the dedup set, so an older event could be a replay billed twice.
     */
    public UsageBatches(ObjectMapper json, UsageIngestor ingestor, DataSource dataSource,
            Supplier<Instant> oldestBillable) {
        // Producers may add fields later; an event billing does not fully understand is still billed by what it knows.
        this.reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.ingestor = ingestor;
        this.dataSource = dataSource;
        this.oldestBillable = oldestBillable;
    }

    /**
     * Consumer settings for batches of up to {@code maxPollRecords} events: one fetch can fill a whole batch even when
     * its events all come from one partition (events are ~300 bytes).
     */
    public static Properties consumerProperties(String group, int maxPollRecords) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        int batchBytes = Math.max(1 << 20, maxPollRecords * 400);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, batchBytes);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(50 << 20, batchBytes));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return p;
    }

    /** Ingests one poll in one transaction; throws (nothing committed) to have the batch retried. */
    public void handle(ConsumerRecords<String, byte[]> records) throws Exception {
        List<UsageEvent> events = new ArrayList<>(records.count());
        Instant oldest = oldestBillable.get();
        for (ConsumerRecord<String, byte[]> r : records) {
            UsageEvent e;
            try {
                e = reader.readValue(r.value(), UsageEvent.class);
            } catch (Exception bad) {
                skip(r, bad.getMessage());
                continue;
            }
            String reason = UsageIngestor.invalidReason(e);
            if (reason != null) {
                skip(r, reason);
                continue;
            }
            if (e.occurredAt().isBefore(oldest)) {
                skip(r, "it happened at " + e.occurredAt() + ", before " + oldest + " (meridian.billing.retention"
                        + ".raw-usage): the ids of events that old are purged, so it may be a replay already billed");
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

    /** Events billed (new) since start. */
    public long ingested() {
        return ingested.get();
    }

    /** Events that could not be billed (malformed, or older than the raw-usage retention), logged and skipped. */
    public long skipped() {
        return skipped.get();
    }

    private void skip(ConsumerRecord<String, byte[]> r, String why) {
        skipped.incrementAndGet();
        LOG.warnf("skipping usage event at %s-%d offset %d: %s", r.topic(), r.partition(), r.offset(), why);
    }
}
