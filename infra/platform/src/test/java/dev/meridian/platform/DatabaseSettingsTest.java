package dev.meridian.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.stack.PostgresServer;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

    static final String URL = "jdbc:postgresql://localhost:15432/meridian_control";

    @Test
    void aRunningServiceGetsTheAppRoleAloneAndNoMigrations() {
        var settings = DatabaseSettings.service(URL, "app-secret");

        assertThat(settings.values()).doesNotContain(PostgresServer.OWNER_ROLE, "owner-secret");
        assertThat(settings).containsEntry("quarkus.datasource.username", PostgresServer.APP_ROLE)
                .containsEntry("quarkus.datasource.password", "app-secret")
                // the services' own configuration names the owner for Flyway: overridden, and Flyway off
                .containsEntry("quarkus.flyway.username", PostgresServer.APP_ROLE)
                .containsEntry("quarkus.flyway.password", "app-secret")
                .containsEntry("quarkus.flyway.active", "false")
                .containsEntry("quarkus.flyway.migrate-at-start", "false");
    }

    @Test
    void theMigrationStepGetsTheOwnerRole() {
        var settings = DatabaseSettings.migration(URL, "owner-secret");

        assertThat(settings.values()).doesNotContain(PostgresServer.APP_ROLE, "app-secret");
        assertThat(settings).containsEntry("quarkus.flyway.username", PostgresServer.OWNER_ROLE)
                .containsEntry("quarkus.flyway.password", "owner-secret")
                .containsEntry("quarkus.flyway.jdbc-url", URL);
    }
}
