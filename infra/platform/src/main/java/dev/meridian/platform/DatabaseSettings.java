package dev.meridian.platform;

import dev.meridian.stack.PostgresServer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The database settings the launcher gives a service's JVM. Only the migration step, which runs before the service,
 * gets the owner role (which owns the schema and could switch row-level security off); the running service gets the
 * app role alone, which owns nothing and is subject to RLS, and its Flyway is inactive.
 */
final class DatabaseSettings {

    private DatabaseSettings() {
    }

    /**
     * A running service: the app role for its connections. The services' own configuration names the owner role for
     * Flyway; Flyway is switched off here and pointed at the app role, so the process holds no owner credentials.
     * Hibernate still validates the schema it maps at start.
     */
    static Map<String, String> service(String jdbcUrl, String appPassword) {
        Map<String, String> db = new LinkedHashMap<>();
        db.put("quarkus.datasource.jdbc.url", jdbcUrl);
        db.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
        db.put("quarkus.datasource.password", appPassword);
        db.put("quarkus.flyway.active", "false");
        db.put("quarkus.flyway.migrate-at-start", "false");
        db.put("quarkus.flyway.jdbc-url", jdbcUrl);
        db.put("quarkus.flyway.username", PostgresServer.APP_ROLE);
        db.put("quarkus.flyway.password", appPassword);
        return db;
    }

    /** The migration step ({@code ServiceProcess.migrate}): the owner role, for Flyway and for anything else. */
    static Map<String, String> migration(String jdbcUrl, String ownerPassword) {
        Map<String, String> db = new LinkedHashMap<>();
        db.put("quarkus.datasource.jdbc.url", jdbcUrl);
        db.put("quarkus.datasource.username", PostgresServer.OWNER_ROLE);
        db.put("quarkus.datasource.password", ownerPassword);
        db.put("quarkus.flyway.jdbc-url", jdbcUrl);
        db.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
        db.put("quarkus.flyway.password", ownerPassword);
        return db;
    }
}
