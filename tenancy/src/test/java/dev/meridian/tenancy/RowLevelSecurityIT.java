package dev.meridian.tenancy;

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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The second isolation layer: PostgreSQL itself hides other tenants' rows from the role the service uses. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class RowLevelSecurityIT {

    private static Connection asApp() throws SQLException {
        var stack = TestStack.get();
        return DriverManager.getConnection(stack.jdbcUrl(TestStack.CONTROL_DB), PostgresServer.APP_ROLE,
                stack.secrets().get(Secrets.DB_APP_PASSWORD));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void queryWithoutTenantSettingSeesNoRowsAndWithItOnlyThatTenants() throws Exception {
        var user = TestStack.get().newUser();
        String a = TenancyApiIT.createTenant(user.accessToken(), "A");
        String b = TenancyApiIT.createTenant(user.accessToken(), "B");
        for (String t : List.of(a, b)) {
            TenancyApiIT.as(user.accessToken()).body(Map.of("name", "k", "scopes", List.of("models")))
                    .post("/api/v1/tenants/{t}/api-keys", t).then().statusCode(201);
        }
        try (var owner = TestStack.get().postgres().admin(TestStack.CONTROL_DB)) {
            assertThat(count(owner, "select count(*) from api_keys")).isGreaterThanOrEqualTo(2);
        }

        try (Connection c = asApp()) {
            assertThat(count(c, "select count(*) from api_keys")).isZero();
            assertThat(count(c, "select count(*) from tenants")).isZero();
            assertThat(count(c, "select count(*) from audit_events")).isZero();

            c.setAutoCommit(false);
            c.createStatement().execute("select set_config('app.tenant_id', '" + a + "', true)");
            assertThat(count(c, "select count(*) from api_keys")).isEqualTo(1);
            assertThat(count(c, "select count(*) from api_keys where tenant_id <> '" + a + "'")).isZero();
            c.rollback();
        }
    }

    @Test
    void appRoleOwnsNothingAndCannotEscape() throws Exception {
        try (Connection c = asApp()) {
            assertThat(count(c, "select count(*) from pg_tables where schemaname = 'public'"
                    + " and tableowner = current_user")).isZero();
            assertThat(catchThrowable(() -> c.createStatement().execute("set role meridian_owner")))
                    .hasMessageContaining("permission denied");
            assertThat(catchThrowable(() -> c.createStatement().execute("alter table api_keys disable row level security")))
                    .hasMessageContaining("must be owner");
        }
    }
}
