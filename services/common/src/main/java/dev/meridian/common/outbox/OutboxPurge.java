package dev.meridian.common.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Deletes an outbox's published rows once they are older than the retention, so the table holds the backlog and a
 * short history instead of every message ever sent. Rows not yet published are never touched, however old (they
 * wait for Kafka). Each batch is one short statement of its own ({@code id in (... limit n for update skip locked)}),
 * so a purge never holds many locks or one long transaction, and replicas purging at once skip each other's rows.
 * The outbox tables have no row-level security (they hold ids, never tenant content), so the app role may purge them
 * for every tenant.
 */
public final class OutboxPurge {

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*");

    private final DataSource db;
    private final String sql;
    private final Duration retention;
    private final int batch;

    /**
     * @param table     the outbox table, with {@code id} and {@code published_at} columns
     * @param retention how long a published row is kept
     * @param batch     most rows one statement deletes
     */
    public OutboxPurge(DataSource db, String table, Duration retention, int batch) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        if (retention.isNegative() || batch <= 0) {
            throw new IllegalArgumentException("retention must not be negative and batch must be positive, got "
                    + retention + " and " + batch);
        }
        this.db = db;
        this.retention = retention;
        this.batch = batch;
        this.sql = "delete from " + table + " where id in (select id from " + table
                + " where published_at < ? limit ? for update skip locked)";
    }

    /** Deletes every row published before {@code now} minus the retention, batch by batch; returns how many. */
    public long purge(Instant now) {
        OffsetDateTime cutoff = now.minus(retention).atOffset(ZoneOffset.UTC);
        long deleted = 0;
        int last;
        do {
            last = deleteBatch(cutoff);
            deleted += last;
        } while (last == batch);
        return deleted;
    }

    private int deleteBatch(OffsetDateTime cutoff) {
        try (Connection connection = db.getConnection(); PreparedStatement delete = connection.prepareStatement(sql)) {
            delete.setObject(1, cutoff);
            delete.setInt(2, batch);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot purge published outbox rows: " + e.getMessage(), e);
        }
    }

    public Duration retention() {
        return retention;
    }
}
