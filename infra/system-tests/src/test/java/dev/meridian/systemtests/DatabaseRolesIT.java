package dev.meridian.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.platform.RunningPlatform;
import dev.meridian.platform.supervisor.SupervisedPart;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The running services hold the app role alone: migrations ran before them as the owner, and the app role owns
 * nothing, so whoever takes over a service cannot alter a table or switch row-level security off.
 */
class DatabaseRolesIT {

    @Test
    void noServiceProcessIsGivenTheOwnerRole() {
        RunningPlatform platform = SystemUnderTest.platform();
        String ownerPassword = platform.secrets().get(Secrets.DB_OWNER_PASSWORD);
        for (String name : List.of("tenancy", "billing", "models-eu-central", "models-us-east")) {
            String commandLine = commandLine(platform.part(name));
            assertThat(commandLine).as(name)
                    .contains("-Dquarkus.datasource.username=" + PostgresServer.APP_ROLE,
                            "-Dquarkus.flyway.active=false")
                    .doesNotContain(ownerPassword, PostgresServer.OWNER_ROLE);
        }
        for (SupervisedPart part : List.of(platform.part("gateway-eu-central"), platform.part("inference-us-east"),
                platform.part("worker-eu-central"), platform.part("kafka"))) {
            assertThat(commandLine(part)).as(part.name()).doesNotContain(ownerPassword);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"meridian_control", "meridian_eu_central", "meridian_us_east"})
    void theAppRoleOwnsNothingAndCannotSwitchRowLevelSecurityOff(String database) throws SQLException {
        RunningPlatform platform = SystemUnderTest.platform();
        try (Connection app = DriverManager.getConnection(platform.jdbcUrl(database), PostgresServer.APP_ROLE,
                platform.secrets().get(Secrets.DB_APP_PASSWORD)); var st = app.createStatement()) {
            assertThat(count(st.executeQuery("select count(*) from pg_class where relowner = "
                    + "(select oid from pg_roles where rolname = current_user)"))).as("relations owned").isZero();
            assertThat(count(st.executeQuery("select count(*) from pg_namespace where nspowner = "
                    + "(select oid from pg_roles where rolname = current_user)"))).as("schemas owned").isZero();
            assertThat(count(st.executeQuery("select count(*) from pg_proc where proowner = "
                    + "(select oid from pg_roles where rolname = current_user)"))).as("functions owned").isZero();

            List<String> protectedTables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                    + "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    + "where c.relkind = 'r' and c.relrowsecurity")) {
                while (rs.next()) {
                    protectedTables.add(rs.getString(1));
                }
            }
            assertThat(protectedTables).as("tables under row-level security in " + database).isNotEmpty();
            for (String table : protectedTables) {
                assertThatThrownBy(() -> st.execute("alter table " + table + " disable row level security"))
                        .as(table).hasMessageContaining("must be owner");
                assertThatThrownBy(() -> st.execute("alter table " + table + " no force row level security"))
                        .as(table).hasMessageContaining("must be owner");
            }
        }
    }

    private static String commandLine(SupervisedPart part) {
        return String.join(" ", ProcessHandle.of(part.pid()).orElseThrow().info().arguments().orElseThrow());
    }

    private static long count(ResultSet rs) throws SQLException {
        try (rs) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
