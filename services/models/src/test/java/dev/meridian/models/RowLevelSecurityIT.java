package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The second isolation layer of the models service, proven with plain JDBC as its app role: with the tenant setting
 * of A, no row of B is visible, changeable, deletable or insertable in any tenant-owned table. The tables come from
 * {@code information_schema}, so a new table must be given a fixture here (tenant-owned) or be listed as global.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = RowLevelSecurityIT.DATABASE))
class RowLevelSecurityIT {

    static final String DATABASE = "meridian_eu_central";

    /** Tables without tenant rows: outboxes (read by the relays for every tenant), metering runs, Flyway's own. */
    private static final Set<String> GLOBAL = Set.of("registry_outbox", "finetune_outbox", "storage_meterings",
            "flyway_schema_history");

    /** One row per tenant-owned table, parents first; {@code %1$s} is the tenant, {@code %2$s} a per-tenant tag. */
    private static final Map<String, String> FIXTURES = new LinkedHashMap<>();

    static {
        FIXTURES.put("tenant_models", "insert into tenant_models (id, tenant_id, name, created_at) values"
                + " ('%3$s', '%1$s', 'rls-%2$s', now())");
        FIXTURES.put("model_versions", "insert into model_versions (id, tenant_id, model_id, version, sha256,"
                + " size_bytes, blob_key, ir_version, opset, inputs, outputs, created_at) values ('%4$s', '%1$s',"
                + " '%3$s', 1, repeat('a', 64), 1, 'tenants/%1$s/versions/x.onnx', 8, 13, '[]', '[]', now())");
        FIXTURES.put("model_uploads", "insert into model_uploads (id, tenant_id, filename, bytes, mime_type, purpose,"
                + " status, created_at, expires_at) values ('%5$s', '%1$s', 'm.onnx', 1, 'application/octet-stream',"
                + " 'model', 'pending', now(), now() + interval '1 hour')");
        FIXTURES.put("model_upload_parts", "insert into model_upload_parts (id, tenant_id, upload_id, bytes, blob_key,"
                + " created_at) values (gen_random_uuid(), '%1$s', '%5$s', 1, 'tenants/%1$s/uploads/p', now())");
        FIXTURES.put("finetune_files", "insert into finetune_files (id, tenant_id, filename, purpose, bytes, lines,"
                + " sha256, blob_key, created_at) values ('file-rls%2$s', '%1$s', 't.jsonl', 'fine-tune', 1, 1, 'x',"
                + " 'tenants/%1$s/files/file-rls%2$s', now())");
        FIXTURES.put("finetune_jobs", "insert into finetune_jobs (id, tenant_id, base_model, training_file, seed,"
                + " requested_hyperparameters, status, created_at) values ('ftjob-rls%2$s', '%1$s',"
                + " 'all-minilm-l6-v2', 'file-rls%2$s', 1, '{}', 'queued', now())");
        FIXTURES.put("finetune_job_events", "insert into finetune_job_events (id, tenant_id, job_id, level, type,"
                + " message, created_at) values (gen_random_uuid(), '%1$s', 'ftjob-rls%2$s', 'info', 'message', 'm',"
                + " now())");
        FIXTURES.put("finetune_checkpoints", "insert into finetune_checkpoints (id, tenant_id, job_id, step_number,"
                + " metrics, blob_key, fine_tuned_model_checkpoint, created_at) values ('ftckpt-rls%2$s', '%1$s',"
                + " 'ftjob-rls%2$s', 1, '{}', 'tenants/%1$s/c', 'ft:x:ckpt-step-1', now())");
        FIXTURES.put("tenant_exports", "insert into tenant_exports (id, tenant_id, status, phase, created_by,"
                + " created_at) values ('export-rls%2$s', '%1$s', 'failed', 'failed', 'm', now())");
    }

    private static Connection as(String role, String passwordSecret) throws SQLException {
        var stack = TestStack.get();
        return DriverManager.getConnection(stack.jdbcUrl(DATABASE), role, stack.secrets().get(passwordSecret));
    }

    private static Connection asApp() throws SQLException {
        return as(PostgresServer.APP_ROLE, Secrets.DB_APP_PASSWORD);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void setTenant(Connection c, UUID tenant) throws SQLException {
        c.createStatement().execute("select set_config('app.tenant_id', '" + tenant + "', true)");
    }

    private static String fixture(String table, UUID tenant, String tag, UUID modelId, UUID versionId,
            UUID uploadId) {
        return FIXTURES.get(table).formatted(tenant, tag, modelId, versionId, uploadId);
    }

    /** Runs {@code sql} in a savepoint and returns why it failed (rolled back to the savepoint), or null. */
    private static Throwable failure(Connection c, String sql) throws SQLException {
        var savepoint = c.setSavepoint();
        Throwable t = catchThrowable(() -> c.createStatement().execute(sql));
        c.rollback(savepoint);
        return t;
    }

    private static List<String> tenantTables(Connection c) throws SQLException {
        return strings(c, "select table_name from information_schema.columns where table_schema = 'public'"
                + " and column_name = 'tenant_id' and table_name in (select table_name from information_schema.tables"
                + " where table_schema = 'public' and table_type = 'BASE TABLE') order by table_name");
    }

    @Test
    void everyTableIsTenantOwnedWithForcedRowLevelSecurityOrListedAsGlobal() throws Exception {
        try (Connection c = as(PostgresServer.OWNER_ROLE, Secrets.DB_OWNER_PASSWORD)) {
            List<String> all = strings(c, "select table_name from information_schema.tables"
                    + " where table_schema = 'public' and table_type = 'BASE TABLE'");
            List<String> owned = tenantTables(c);
            assertThat(owned).as("tenant-owned tables need a fixture in this test")
                    .containsExactlyInAnyOrderElementsOf(FIXTURES.keySet());
            assertThat(all.stream().filter(t -> !owned.contains(t)).toList())
                    .as("tables without tenant_id must be listed as global").allMatch(GLOBAL::contains);
            for (String table : owned) {
                assertThat(count(c, "select count(*) from pg_class where relname = '" + table
                        + "' and relrowsecurity and relforcerowsecurity")).as(table).isEqualTo(1);
            }
        }
    }

    @Test
    void withTheSettingOfTenantANoRowOfTenantBIsVisibleOrWritable() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        String tagA = Long.toString(System.nanoTime(), 36) + "a";
        String tagB = Long.toString(System.nanoTime(), 36) + "b";
        UUID[] idsA = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        UUID[] idsB = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            setTenant(c, b);
            for (String table : FIXTURES.keySet()) {
                c.createStatement().execute(fixture(table, b, tagB, idsB[0], idsB[1], idsB[2]));
            }
            setTenant(c, a);
            for (String table : FIXTURES.keySet()) {
                c.createStatement().execute(fixture(table, a, tagA, idsA[0], idsA[1], idsA[2]));
            }

            for (String table : tenantTables(c)) {
                assertThat(count(c, "select count(*) from " + table)).as(table + ": A's own rows").isPositive();
                assertThat(count(c, "select count(*) from " + table + " where tenant_id <> '" + a + "'"))
                        .as(table + ": rows of others").isZero();
                assertThat(c.createStatement().executeUpdate("update " + table + " set tenant_id = tenant_id"
                        + " where tenant_id = '" + b + "'")).as(table + ": B's rows updated").isZero();
                assertThat(c.createStatement().executeUpdate("delete from " + table + " where tenant_id = '" + b
                        + "'")).as(table + ": B's rows deleted").isZero();
                assertThat(failure(c, "update " + table + " set tenant_id = '" + b + "' where tenant_id = '" + a
                        + "'")).as(table + ": A's row moved to B").hasMessageContaining("row-level security");
                assertThat(failure(c, fixture(table, b, tagB + "x", idsB[0], idsB[1], idsB[2])))
                        .as(table + ": a row inserted for B").hasMessageContaining("row-level security");
            }

            // B's rows were there all along, untouched
            setTenant(c, b);
            for (String table : FIXTURES.keySet()) {
                assertThat(count(c, "select count(*) from " + table + " where tenant_id = '" + b + "'"))
                        .as(table + ": B's rows").isPositive();
            }
            c.rollback();
        }
    }

    @Test
    void withoutATenantSettingTheAppRoleSeesNoTenantRows() throws Exception {
        try (Connection c = asApp()) {
            for (String table : tenantTables(c)) {
                assertThat(count(c, "select count(*) from " + table)).as(table).isZero();
            }
        }
    }
}
