package dev.meridian.common.outbox;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * An outbox's health as metrics, the same for every service that has one: rows waiting to be published
 * ({@code meridian_outbox_backlog{table}}), the age of the oldest ({@code meridian_outbox_oldest_age_seconds{table}}:
 * growing means the relay is stuck, whatever the backlog), messages published and failed publishing rounds. The two
 * gauges come from one query on the table's partial index of unpublished rows, run at most once a second however
 * often Prometheus scrapes.
 */
public final class OutboxMetrics {

    private static final Logger LOG = Logger.getLogger(OutboxMetrics.class.getName());

    /** Backlog and oldest age as of one query. */
    record Backlog(long rows, double oldestAgeSeconds, long atNanos) {
    }

    private final DataSource db;
    private final String table;
    private final Supplier<Long> clock;
    private volatile boolean warned;
    private volatile Backlog last = new Backlog(0, 0, Long.MIN_VALUE);

    OutboxMetrics(DataSource db, String table, Supplier<Long> nanoClock) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        this.db = db;
        this.table = table;
        this.clock = nanoClock;
    }

    /**
     * Registers these metrics, of the table published by {@code publisher}; returns them, for the caller to remove
     * when it stops (a registry can outlive the application in a test JVM, and would keep the stopped one's meters).
     */
    List<Meter> register(MeterRegistry registry, OutboxPublisher publisher) {
        var metrics = this;
        Tags tags = Tags.of("table", table);
        // strong references: nothing else holds `metrics`, and a weak gauge would read NaN once it is collected
        Meter backlog = Gauge.builder("meridian.outbox.backlog", metrics,
                        m -> m.backlog().rows() < 0 ? Double.NaN : m.backlog().rows())
                .tags(tags).strongReference(true).description("Outbox rows not yet published").register(registry);
        Meter age = Gauge.builder("meridian.outbox.oldest.age", metrics, m -> m.backlog().oldestAgeSeconds())
                .tags(tags).strongReference(true).baseUnit("seconds")
                .description("Age of the oldest unpublished outbox row (0 when none)").register(registry);
        Meter published = FunctionCounter.builder("meridian.outbox.published", publisher, OutboxPublisher::published)
                .tags(tags).description("Outbox messages published to Kafka").register(registry);
        Meter failed = FunctionCounter.builder("meridian.outbox.failed.attempts", publisher,
                        OutboxPublisher::failedAttempts)
                .tags(tags).description("Publishing rounds that failed and were retried").register(registry);
        return List.of(backlog, age, published, failed);
    }

    Backlog backlog() {
        Backlog b = last;
        long now = clock.get();
        if (b.atNanos() != Long.MIN_VALUE && now - b.atNanos() < 1_000_000_000L) {
            return b;
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select count(*), coalesce(extract(epoch from now() - min(created_at)),"
                        + " 0) from " + table + " where published_at is null")) {
            r.next();
            b = new Backlog(r.getLong(1), Math.max(0, r.getDouble(2)), now);
        } catch (SQLException e) {
            // the database is away: report NaN, which Prometheus shows as missing, rather than a reassuring 0
            if (!warned) {
                LOG.log(Level.WARNING, "cannot measure the backlog of " + table + ": " + e.getMessage());
                warned = true;
            }
            b = new Backlog(-1, Double.NaN, now);
        }
        last = b;
        return b;
    }
}
