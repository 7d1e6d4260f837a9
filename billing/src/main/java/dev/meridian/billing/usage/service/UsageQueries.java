package dev.meridian.billing.usage.service;

import dev.meridian.common.tenant.TenantSession;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Reads a tenant's hourly usage figures, summed over the dimensions the caller asks for. */
@ApplicationScoped
public class UsageQueries {

    public static final UUID NO_KEY = new UUID(0, 0);

    /** The dimensions usage can be broken down by, besides the meter. */
    public enum Dimension {
        MODEL("model", "model"), KEY("key", "key_id"), DAY("day", "date_trunc('day', hour, 'UTC')"),
        HOUR("hour", "hour");

        public final String wireName;
        final String column;

        Dimension(String wireName, String column) {
            this.wireName = wireName;
            this.column = column;
        }
    }

    /** One figure: the meter, the asked-for dimensions (null where not asked), the summed quantity and events. */
    public record Figure(String meter, String model, UUID keyId, Instant day, Instant hour, long quantity,
            long events) {
    }

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;

    @Transactional
    public List<Figure> usage(UUID tenantId, Instant from, Instant to, Set<Dimension> by) {
        session.bindTenant(tenantId);
        StringBuilder select = new StringBuilder("select meter");
        StringBuilder group = new StringBuilder("meter");
        List<Dimension> order = new ArrayList<>();
        for (Dimension d : EnumSet.copyOf(by.isEmpty() ? EnumSet.noneOf(Dimension.class) : by)) {
            select.append(", ").append(d.column);
            group.append(", ").append(d.column);
            order.add(d);
        }
        select.append(", sum(quantity)::bigint, sum(events)::bigint from usage_hourly"
                + " where tenant_id = :t and hour >= :from and hour < :to group by ").append(group)
                .append(" order by ").append(group);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(select.toString())
                .setParameter("t", tenantId)
                .setParameter("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .setParameter("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .getResultList();
        List<Figure> out = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            Map<Dimension, Object> v = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                v.put(order.get(i), row[1 + i]);
            }
            String model = (String) v.get(Dimension.MODEL);
            UUID key = (UUID) v.get(Dimension.KEY);
            out.add(new Figure((String) row[0], model == null || model.isEmpty() ? null : model,
                    NO_KEY.equals(key) ? null : key, instant(v.get(Dimension.DAY)), instant(v.get(Dimension.HOUR)),
                    ((Number) row[row.length - 2]).longValue(), ((Number) row[row.length - 1]).longValue()));
        }
        return out;
    }

    /** Quantity per meter over {@code [from, to)}, for one key or (keyId null) the whole tenant. */
    public Map<String, Long> totals(UUID tenantId, UUID keyId, Instant from, Instant to) {
        String sql = "select meter, sum(quantity)::bigint from usage_hourly where tenant_id = :t and hour >= :from"
                + " and hour < :to" + (keyId == null ? "" : " and key_id = :k") + " group by meter";
        var q = em.createNativeQuery(sql)
                .setParameter("t", tenantId)
                .setParameter("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .setParameter("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        if (keyId != null) {
            q.setParameter("k", keyId);
        }
        Map<String, Long> totals = new HashMap<>();
        for (Object row : q.getResultList()) {
            Object[] r = (Object[]) row;
            totals.put((String) r[0], ((Number) r[1]).longValue());
        }
        return totals;
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case OffsetDateTime o -> o.toInstant();
            case java.sql.Timestamp t -> t.toInstant();
            default -> throw new IllegalStateException("unexpected time type " + value.getClass());
        };
    }
}
