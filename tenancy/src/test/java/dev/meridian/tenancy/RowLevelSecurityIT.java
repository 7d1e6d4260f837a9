package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.createKey;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The second isolation layer: PostgreSQL itself hides other tenants' rows from the roles the service uses. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class RowLevelSecurityIT {

    private static final List<String> TENANT_TABLES = List.of("tenants", "members", "api_keys", "audit_events");

    private String tenantA;
    private String tenantB;
    private String prefixA;

    @BeforeEach
    void twoTenantsWithAKeyEach() {
        var user = newUser();
        tenantA = createTenant(user.accessToken(), "A");
        tenantB = createTenant(user.accessToken(), "B");
        prefixA = createKey(user.accessToken(), tenantA, "a", "models").path("prefix");
        createKey(user.accessToken(), tenantB, "b", "models");
    }

    private static Connection as(String role, String passwordSecret) throws SQLException {
        var stack = TestStack.get();
        return DriverManager.getConnection(stack.jdbcUrl(TestStack.CONTROL_DB), role,
                stack.secrets().get(passwordSecret));
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

    @Test
    void withoutATenantSettingTheAppRoleSeesNoRowsAtAll() throws Exception {
        assertThat(Api.count("select count(*) from api_keys")).isGreaterThanOrEqualTo(2);

        try (Connection c = asApp()) {
            for (String table : TENANT_TABLES) {
                assertThat(count(c, "select count(*) from " + table)).as(table).isZero();
            }
        }
    }

    @Test
    void withTheTenantSetTheAppRoleSeesOnlyThatTenantsRows() throws Exception {
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.tenant_id', '" + tenantA + "', true)");

            assertThat(count(c, "select count(*) from api_keys")).isEqualTo(1);
            assertThat(count(c, "select count(*) from tenants")).isEqualTo(1);
            for (String table : List.of("members", "api_keys", "audit_events")) {
                assertThat(count(c, "select count(*) from " + table + " where tenant_id <> '" + tenantA + "'"))
                        .as(table).isZero();
            }
            c.rollback();
        }
    }

    @Test
    void theAppRoleCannotWriteIntoAnotherTenant() throws Exception {
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.tenant_id', '" + tenantA + "', true)");

            assertThat(c.createStatement().executeUpdate("update api_keys set name = 'x' where tenant_id = '"
                    + tenantB + "'")).isZero();
            Throwable insert = catchThrowable(() -> c.createStatement().execute("insert into audit_events"
                    + " (id, tenant_id, actor_id, action, target_type, target_id, occurred_at) values"
                    + " (gen_random_uuid(), '" + tenantB + "', 'eve', 'x', 'x', 'x', now())"));
            assertThat(insert).hasMessageContaining("row-level security");
            c.rollback();
        }
    }

    @Test
    void theAppRoleFindsOneKeyByItsPrefixButCannotListKeysThroughTheLookup() throws Exception {
        try (Connection c = asApp()) {
            c.setAutoCommit(false);
            assertThat(count(c, "select count(*) from api_key_by_prefix('" + prefixA + "')")).isEqualTo(1);
            // the prefix the lookup named is cleared again, and the app role could not use it anyway
            assertThat(count(c, "select count(*) from api_keys")).isZero();
            c.createStatement().execute("select set_config('app.key_prefix', '" + prefixA + "', true)");
            assertThat(count(c, "select count(*) from api_keys")).isZero();
            assertThat(count(c, "select count(*) from api_key_by_prefix('%')")).isZero();
            c.rollback();
        }
    }

    @Test
    void rowLevelSecurityIsForcedSoEvenTheOwnerRoleSeesNothing() throws Exception {
        try (Connection c = as(PostgresServer.OWNER_ROLE, Secrets.DB_OWNER_PASSWORD)) {
            for (String table : TENANT_TABLES) {
                assertThat(count(c, "select count(*) from pg_class where relname = '" + table
                        + "' and relrowsecurity and relforcerowsecurity")).as(table).isEqualTo(1);
                assertThat(count(c, "select count(*) from " + table)).as(table).isZero();
            }
        }
    }

    @Test
    void theAppRoleOwnsNothingAndCannotEscape() throws Exception {
        try (Connection c = asApp()) {
            assertThat(count(c, "select count(*) from pg_class where relowner = (select oid from pg_roles"
                    + " where rolname = current_user)")).isZero();
            assertThat(count(c, "select count(*) from pg_roles where rolname = current_user"
                    + " and (rolsuper or rolbypassrls or rolcreaterole)")).isZero();
            assertThat(catchThrowable(() -> c.createStatement().execute("set role meridian_owner")))
                    .hasMessageContaining("permission denied");
            assertThat(catchThrowable(() -> c.createStatement()
                    .execute("alter table api_keys disable row level security")))
                    .hasMessageContaining("must be owner");
            c.createStatement().execute("set row_security = off");
            assertThat(catchThrowable(() -> count(c, "select count(*) from api_keys")))
                    .hasMessageContaining("row-level security");
        }
    }
}
