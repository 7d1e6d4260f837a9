package dev.meridian.billing.usage.service;

import dev.meridian.common.events.UsageEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Bills one batch of usage events exactly once: a single call of the database function {@code ingest_usage}, which
 * records the ids not seen before ({@code INSERT ... ON CONFLICT DO NOTHING RETURNING}) and adds only those to the
 * hourly figures, in the caller's transaction. Plain JDBC, so the benchmark drives the same code as the service.
 */
public final class UsageIngestor {

    private static final String CALL = "select billing.ingest_usage(?::uuid[], ?::uuid[], ?::text[], ?::text[],"
            + " ?::int8[], ?::text[], ?::uuid[], ?::int8[], ?)";

    private final String defaultPlan;

    public UsageIngestor(String defaultPlan) {
        this.defaultPlan = defaultPlan;
    }

    /** Ingests {@code events} in the connection's current transaction; returns how many were new. */
    public long ingest(Connection connection, List<UsageEvent> events) throws SQLException {
        events = distinctById(events);
        if (events.isEmpty()) {
            return 0;
        }
        int n = events.size();
        String[] ids = new String[n];
        String[] tenants = new String[n];
        String[] regions = new String[n];
        String[] meters = new String[n];
        Long[] quantities = new Long[n];
        String[] models = new String[n];
        String[] keys = new String[n];
        Long[] occurred = new Long[n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = events.get(i);
            ids[i] = e.id().toString();
            tenants[i] = e.tenantId().toString();
            regions[i] = e.region();
            meters[i] = e.meter().wireName();
            quantities[i] = e.quantity();
            models[i] = e.model();
            keys[i] = e.keyId() == null ? null : e.keyId().toString();
            occurred[i] = ChronoUnit.MICROS.between(java.time.Instant.EPOCH, e.occurredAt());
        }
        try (PreparedStatement call = connection.prepareStatement(CALL)) {
            call.setArray(1, array(connection, "text", ids));
            call.setArray(2, array(connection, "text", tenants));
            call.setArray(3, array(connection, "text", regions));
            call.setArray(4, array(connection, "text", meters));
            call.setArray(5, array(connection, "int8", quantities));
            call.setArray(6, array(connection, "text", models));
            call.setArray(7, array(connection, "text", keys));
            call.setArray(8, array(connection, "int8", occurred));
            call.setString(9, defaultPlan);
            try (ResultSet rs = call.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The batch with each event id once (the first occurrence): the database function requires it. */
    static List<UsageEvent> distinctById(List<UsageEvent> events) {
        java.util.Set<java.util.UUID> seen = java.util.HashSet.newHashSet(events.size());
        List<UsageEvent> out = new java.util.ArrayList<>(events.size());
        for (UsageEvent e : events) {
            if (seen.add(e.id())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Whether an event can be billed at all; the others are logged and skipped, never retried forever. */
    public static String invalidReason(UsageEvent e) {
        if (e.id() == null) {
            return "no id";
        }
        if (e.tenantId() == null) {
            return "no tenant_id";
        }
        if (e.meter() == null) {
            return "no meter";
        }
        if (e.occurredAt() == null) {
            return "no occurred_at";
        }
        if (e.region() == null || e.region().isBlank()) {
            return "no region";
        }
        return null;
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }
}
