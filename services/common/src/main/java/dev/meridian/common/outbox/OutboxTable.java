package dev.meridian.common.outbox;

import dev.meridian.common.observe.TraceHeaders;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one mapping of an outbox table, whichever service owns it: {@code id}, {@code seq} (write order),
 * {@code topic}, {@code message_key}, {@code payload} (jsonb or text), {@code created_at}, {@code published_at},
 * {@code traceparent}, {@code tracestate}. Plain SQL rather than an entity: services that do not index this library
 * (models) could not map an entity or mapped superclass from it.
 */
final class OutboxTable {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    /** One row as it is claimed for publishing. */
    record Row(UUID id, OutboxPublisher.Message message) {
    }

    private final String insert;
    private final String claim;
    private final String markPublished;

    OutboxTable(String table) {
        if (!NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        insert = "insert into " + table + " (id, topic, message_key, payload, created_at, traceparent, tracestate)"
                + " values (?, ?, ?, ?, ?, ?, ?)";
        claim = "select id, topic, message_key, payload, traceparent, tracestate from " + table
                + " where published_at is null order by seq limit ? for update skip locked";
        markPublished = "update " + table + " set published_at = ? where id = any(?)";
    }

    /** Writes one message, with the current trace context, on the caller's transaction's connection. */
    void insert(Connection c, UUID id, OutboxPublisher.Message message, Instant createdAt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(insert)) {
            s.setObject(1, id);
            s.setString(2, message.topic());
            s.setString(3, message.key());
            // untyped: the server reads it as the column's type, jsonb or text
            s.setObject(4, message.payload(), Types.OTHER);
            s.setObject(5, createdAt.atOffset(ZoneOffset.UTC));
            s.setString(6, message.trace().traceparent());
            s.setString(7, message.trace().tracestate());
            s.executeUpdate();
        }
    }

    /** Locks up to {@code limit} unpublished rows in write order, skipping those another replica holds. */
    List<Row> claim(Connection c, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(claim)) {
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
                List<Row> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(new Row(r.getObject(1, UUID.class), new OutboxPublisher.Message(r.getString(2),
                            r.getString(3), r.getString(4), new TraceHeaders(r.getString(5), r.getString(6)))));
                }
                return rows;
            }
        }
    }

    void markPublished(Connection c, List<Row> rows, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(markPublished)) {
            s.setObject(1, at.atOffset(ZoneOffset.UTC));
            s.setArray(2, c.createArrayOf("uuid", rows.stream().map(Row::id).toArray()));
            s.executeUpdate();
        }
    }
}
