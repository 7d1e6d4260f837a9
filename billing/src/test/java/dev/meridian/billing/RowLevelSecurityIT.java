package dev.meridian.billing;

import static dev.meridian.billing.Api.superuser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The second isolation layer for billing: connected with plain JDBC as the role billing's datasource uses, with the
 * tenant setting of A, no row of tenant B is visible or writable in any tenant-owned table. The tables are read from
 * {@code information_schema}, so a new one is checked (or makes this test ask for its rows) without anyone
 * remembering to add it; tables without {@code tenant_id} must be listed in {@link #GLOBAL_TABLES}.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class RowLevelSecurityIT {

    /** Billing's tables that hold no tenant's rows (the outbox carries ids and figures only; Flyway's history). */
    private static final Set<String> GLOBAL_TABLES = Set.of("outbox", "billing_schema_history");
    /**
     * A partner's statements: keyed on {@code partner_id} ({@code app.partner_id}), not on the tenants whose figures
     * their lines hold; checked by the partner tests below.
     */
    private static final Set<String> PARTNER_TABLES = Set.of("partner_statements", "partner_statement_lines");

    private UUID a;
    private UUID b;

    /** One row per tenant-owned table for {@code tenant}, written as the superuser (which bypasses RLS). */
    private static Map<String, String> rowsOf(UUID tenant) {
        String t = "'" + tenant + "'";
        UUID invoice = UUID.randomUUID();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("accounts", "insert into billing.accounts (tenant_id, region, plan) values (" + t
                + ", 'eu-central', 'enterprise')");
        rows.put("custom_prices", "insert into billing.custom_prices (tenant_id, meter, unit_price_nanos) values ("
                + t + ", 'requests', 1)");
        rows.put("key_budgets", "insert into billing.key_budgets (tenant_id, key_id, hard_budget_minor) values (" + t
                + ", gen_random_uuid(), 10)");
        rows.put("usage_events", "insert into billing.usage_events (tenant_id, id, occurred_at) values (" + t
                + ", gen_random_uuid(), '2020-01-01T00:00:00Z')");
        rows.put("usage_hourly", "insert into billing.usage_hourly (tenant_id, hour, meter, model, key_id, quantity,"
                + " events) values (" + t + ", '2020-01-01T00:00:00Z', 'requests', '', gen_random_uuid(), 1, 1)");
        rows.put("leases", "insert into billing.leases (id, tenant_id, gateway_id, region, granted_at, expires_at)"
                + " values (gen_random_uuid(), " + t + ", 'gw', 'eu-central', now(), now())");
        rows.put("wallet_entries", "insert into billing.wallet_entries (id, tenant_id, kind, amount_minor, currency,"
                + " created_by, created_at) values (gen_random_uuid(), " + t + ", 'credit_grant', 1, 'EUR', 'rls-it',"
                + " now())");
        rows.put("invoices", "insert into billing.invoices (id, tenant_id, number, period_start, period_end, region,"
                + " currency, plan, subtotal_minor, tax_rate_bp, tax_minor, total_minor, credits_applied_minor,"
                + " amount_due_minor, finalized_at) values ('" + invoice + "', " + t + ", 'RLS-" + invoice
                + "', '2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', 'eu-central', 'EUR', 'enterprise', 0, 0, 0,"
                + " 0, 0, 0, now())");
        rows.put("invoice_lines", "insert into billing.invoice_lines (invoice_id, tenant_id, line_no, description,"
                + " quantity, unit_price_nanos, amount_minor) values ('" + invoice + "', " + t + ", 1, 'x', 0, 0, 0)");
        rows.put("budget_alerts", "insert into billing.budget_alerts (tenant_id, key_id, period_start, threshold_pct,"
                + " spent_minor, budget_minor, alerted_at) values (" + t + ", gen_random_uuid(),"
                + " '2020-01-01T00:00:00Z', 50, 1, 2, now())");
        rows.put("webhook_deliveries", "insert into billing.webhook_deliveries (id, tenant_id, url, payload,"
                + " next_attempt_at, delivered_at, created_at) values (gen_random_uuid(), " + t
                + ", 'https://example.com/', '{}', 'infinity', now(), now())");
        // full again only in the far future, so billing's purge of idle buckets leaves it alone during the test
        rows.put("rate_buckets", "insert into billing.rate_buckets (tenant_id, key_id, full_at_nanos, granted) values ("
                + t + ", gen_random_uuid(), 9000000000000000000, 1)");
        rows.put("billing_details", "insert into billing.billing_details (tenant_id, legal_name, country, updated_by,"
                + " updated_at) values (" + t + ", 'Acme', 'DE', 'rls-it', now())");
        rows.put("trials", "insert into billing.trials (tenant_id, amount_minor, currency, granted_at, expires_at)"
                + " values (" + t + ", 1000, 'EUR', now(), now() + interval '30 days')");
        return rows;
    }

    /** Every table of billing's schema with its columns, as the superuser sees them (the app role sees less). */
    private static Map<String, List<String>> tables() throws SQLException {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        try (Connection c = superuser(); var s = c.prepareStatement("select t.table_name, c.column_name"
                + " from information_schema.tables t join information_schema.columns c"
                + " on c.table_schema = t.table_schema and c.table_name = t.table_name"
                + " where t.table_schema = 'billing' and t.table_type = 'BASE TABLE'"
                + " order by t.table_name, c.ordinal_position")) {
            var rs = s.executeQuery();
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return tables;
    }

    private static Set<String> tenantTables() throws SQLException {
        Set<String> owned = new TreeSet<>();
        tables().forEach((table, columns) -> {
            if (columns.contains("tenant_id") && !PARTNER_TABLES.contains(table)) {
                owned.add(table);
            }
        });
        return owned;
    }

    /** As billing's datasource connects: its URL, user and password, whatever role that is. */
    private static Connection asApp() throws SQLException {
        var config = ConfigProvider.getConfig();
        Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
        c.createStatement().execute("set search_path = billing");
        return c;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @BeforeEach
    void twoTenantsWithARowInEveryTable() throws SQLException {
        a = UUID.randomUUID();
        b = UUID.randomUUID();
        try (Connection c = superuser()) {
            for (UUID tenant : List.of(a, b)) {
                for (String insert : rowsOf(tenant).values()) {
                    c.createStatement().executeUpdate(insert);
                }
            }
        }
    }

    @Test
    void everyTableIsEitherTenantOwnedAndSeededHereOrListedAsGlobal() throws SQLException {
        Map<String, List<String>> tables = tables();
        for (String table : tables.keySet()) {
            if (!tables.get(table).contains("tenant_id") && !PARTNER_TABLES.contains(table)) {
                assertThat(GLOBAL_TABLES).as("billing." + table + " has no tenant_id: is it really global? Then list"
                        + " it in GLOBAL_TABLES; if it holds a tenant's rows, give it tenant_id and RLS")
                        .contains(table);
            }
        }
        assertThat(rowsOf(a).keySet()).as("tenant-owned tables this test writes rows into (add one for a new table)")
                .containsExactlyInAnyOrderElementsOf(tenantTables());
    }

    @Test
    void everyTenantOwnedTableForcesRowLevelSecurity() throws SQLException {
        try (Connection c = superuser()) {
            for (String table : tenantTables()) {
                assertThat(count(c, "select count(*) from pg_class k join pg_namespace n on n.oid = k.relnamespace"
                        + " where n.nspname = 'billing' and k.relname = '" + table + "' and k.relrowsecurity"
                        + " and k.relforcerowsecurity")).as(table).isEqualTo(1);
            }
        }
    }

    @Test
    void withTenantASetTheAppRoleSeesOnlyAsRows() throws SQLException {
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.tenant_id', '" + a + "', true)");
            for (String table : tenantTables()) {
                assertThat(count(c, "select count(*) from " + table + " where tenant_id = '" + a + "'"))
                        .as(table + ": A's own rows").isPositive();
                assertThat(count(c, "select count(*) from " + table + " where tenant_id = '" + b + "'"))
                        .as(table + ": B's rows").isZero();
                assertThat(count(c, "select count(*) from " + table + " where tenant_id <> '" + a + "'"))
                        .as(table + ": anyone else's rows").isZero();
            }
            c.rollback();
        }
    }

    @Test
    void withoutATenantSettingTheAppRoleSeesNothing() throws SQLException {
        try (Connection c = asApp()) {
            for (String table : tenantTables()) {
                assertThat(count(c, "select count(*) from " + table)).as(table).isZero();
            }
        }
    }

    @Test
    void withTenantASetTheAppRoleCannotChangeOrAddBsRows() throws SQLException {
        Map<String, List<String>> tables = tables();
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.tenant_id', '" + a + "', true)");
            for (String table : tenantTables()) {
                assertThat(c.createStatement().executeUpdate("update " + table + " set tenant_id = tenant_id"
                        + " where tenant_id = '" + b + "'")).as(table + ": B's rows updated").isZero();
                assertThat(deleted(c, "delete from " + table + " where tenant_id = '" + b + "'"))
                        .as(table + ": B's rows deleted").isZero();

                // a copy of one of A's rows, made B's (ids fresh): the policy refuses the new row
                List<String> columns = tables.get(table);
                String select = String.join(", ", columns.stream().map(col -> switch (col) {
                    case "tenant_id" -> "'" + b + "'::uuid";
                    case "id" -> "gen_random_uuid()";
                    case "number" -> "number || '-copy'";
                    default -> col;
                }).toList());
                assertRefused(c, table + ": insert as B", "insert into " + table + " (" + String.join(", ", columns)
                        + ") select " + select + " from " + table + " where tenant_id = '" + a + "' limit 1");
                // and A's own rows cannot be handed to B
                assertRefused(c, table + ": move to B", "update " + table + " set tenant_id = '" + b + "'"
                        + " where tenant_id = '" + a + "'");
            }
            c.rollback();
        }
        try (Connection c = superuser()) {
            for (String table : tenantTables()) {
                assertThat(count(c, "select count(*) from billing." + table + " where tenant_id = '" + b + "'"))
                        .as(table + ": B's rows as they were").isEqualTo(1);
            }
        }
    }

    /** A final statement of {@code partner} with one line, written as the superuser. */
    private static UUID statementOf(Connection c, UUID partner) throws SQLException {
        UUID id = UUID.randomUUID();
        c.createStatement().executeUpdate("insert into billing.partner_statements (id, number, partner_id,"
                + " partner_name, programme, period_start, period_end, currency, net_invoiced_minor,"
                + " credit_notes_minor, amount_minor, amount_direction, finalized_at) values ('" + id + "', 'RLS-" + id
                + "', '" + partner + "', 'p', 'referral', '2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', 'EUR', 0, 0,"
                + " 0, 'payable_to_partner', now())");
        c.createStatement().executeUpdate("insert into billing.partner_statement_lines (statement_id, partner_id,"
                + " tenant_id, tenant_name, home_region, invoice_ids, net_invoiced_minor, credit_notes_minor, rate_bp,"
                + " amount_minor) values ('" + id + "', '" + partner + "', gen_random_uuid(), 't', 'eu-central',"
                + " '{}', 0, 0, 0, 0)");
        return id;
    }

    @Test
    void withPartnerPSetTheAppRoleSeesOnlyPsStatementsAndChangesNone() throws SQLException {
        UUID p = UUID.randomUUID();
        UUID q = UUID.randomUUID();
        UUID qs;
        try (Connection c = superuser()) {
            statementOf(c, p);
            qs = statementOf(c, q);
            for (String table : PARTNER_TABLES) {
                assertThat(count(c, "select count(*) from pg_class k join pg_namespace n on n.oid = k.relnamespace"
                        + " where n.nspname = 'billing' and k.relname = '" + table + "' and k.relrowsecurity"
                        + " and k.relforcerowsecurity")).as(table).isEqualTo(1);
            }
        }
        try (Connection c = asApp()) {
            for (String table : PARTNER_TABLES) {
                assertThat(count(c, "select count(*) from " + table)).as(table + " without a partner").isZero();
            }
            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.partner_id', '" + p + "', true)");
            for (String table : PARTNER_TABLES) {
                assertThat(count(c, "select count(*) from " + table + " where partner_id = '" + p + "'"))
                        .as(table + ": P's own rows").isPositive();
                assertThat(count(c, "select count(*) from " + table + " where partner_id <> '" + p + "'"))
                        .as(table + ": anyone else's rows").isZero();
                Savepoint before = c.setSavepoint();
                assertThatThrownBy(() -> c.createStatement().executeUpdate("update " + table
                        + " set partner_id = partner_id")).as(table + ": updated").hasMessageContaining("denied");
                c.rollback(before);
            }
            Savepoint before = c.setSavepoint();
            assertThatThrownBy(() -> c.createStatement().executeUpdate("insert into partner_statement_lines"
                    + " (statement_id, partner_id, tenant_id, tenant_name, home_region, invoice_ids, net_invoiced_minor,"
                    + " credit_notes_minor, rate_bp, amount_minor) values ('" + qs + "', '" + q + "', gen_random_uuid(),"
                    + " 't', 'eu-central', '{}', 0, 0, 0, 0)")).as("a line forged into Q's statement")
                    .hasMessageContaining("row-level security");
            c.rollback(before);
            c.rollback();
        }
    }

    /**
     * Rows a delete removed; a table the app role may not delete from at all (rate buckets: only billing's purge
     * function deletes them) removes none.
     */
    private static int deleted(Connection c, String sql) throws SQLException {
        Savepoint before = c.setSavepoint();
        try {
            return c.createStatement().executeUpdate(sql);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            return 0;
        }
    }

    private static void assertRefused(Connection c, String what, String sql) throws SQLException {
        Savepoint before = c.setSavepoint();
        Throwable refused = catchThrowable(() -> c.createStatement().executeUpdate(sql));
        c.rollback(before);
        assertThat(refused).as(what).isNotNull();
        assertThat(refused.getMessage()).as(what).satisfiesAnyOf(
                m -> assertThat(m).contains("row-level security"),
                m -> assertThat(m).contains("finalized invoices are immutable"));
    }
}
