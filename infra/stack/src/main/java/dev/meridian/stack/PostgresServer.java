package dev.meridian.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL server of the stack: the embedded binaries from io.zonky.test (data kept in a folder of the
 * caller's), or an existing server reached with admin credentials. Either way it sets up the roles and databases
 * the services expect: {@code meridian_owner} owns, {@code meridian_app} only uses (and cannot bypass RLS).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String OWNER_ROLE = "meridian_owner";
    public static final String APP_ROLE = "meridian_app";

    private final EmbeddedPostgres embedded;
    private final String baseUrl;
    private final String adminUser;
    private final String adminPassword;

    private PostgresServer(EmbeddedPostgres embedded, String baseUrl, String adminUser, String adminPassword) {
        this.embedded = embedded;
        this.baseUrl = baseUrl;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    /**
     * Starts the embedded server on {@code port}, keeping its data in {@code dataDir} across restarts. Throwaway
     * servers (tests) skip fsync, which a crash would punish but a test never notices.
     */
    public static PostgresServer embedded(int port, Path dataDir, boolean durable) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .start();
            return new PostgresServer(pg, "jdbc:postgresql://localhost:" + port + "/", "postgres", "");
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL failed to start on port " + port + " with data in "
                    + dataDir + " (another server on that port? a stale postmaster.pid?)", e);
        }
    }

    /** Uses an existing server; {@code url} is a JDBC URL of any database on it, e.g. jdbc:postgresql://db:5432/postgres. */
    public static PostgresServer existing(String url, String adminUser, String adminPassword) {
        String base = url.substring(0, url.lastIndexOf('/') + 1);
        return new PostgresServer(null, base, adminUser, adminPassword);
    }

    public String jdbcUrl(String database) {
        return baseUrl + database;
    }

    /** Creates or updates a login role. {@code owner} roles may create objects; app roles never bypass RLS. */
    public void ensureRole(String role, String password, boolean owner) {
        String attributes = owner ? "LOGIN NOSUPERUSER" : "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS";
        try (Connection c = admin("postgres"); Statement s = c.createStatement()) {
            boolean exists;
            try (PreparedStatement q = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                q.setString(1, role);
                exists = q.executeQuery().next();
            }
            String quotedPassword = "'" + password.replace("'", "''") + "'";
            s.execute((exists ? "ALTER" : "CREATE") + " ROLE " + ident(role) + " WITH " + attributes
                    + " PASSWORD " + quotedPassword);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create role " + role + ": " + e.getMessage(), e);
        }
    }

    /** Creates the database if missing, owned by {@code owner}; the app role may connect and use schema public. */
    public void ensureDatabase(String database, String owner, String appRole) {
        try (Connection c = admin("postgres"); Statement s = c.createStatement()) {
            boolean exists;
            try (PreparedStatement q = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                q.setString(1, database);
                exists = q.executeQuery().next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + ident(database) + " OWNER " + ident(owner));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + ": " + e.getMessage(), e);
        }
        try (Connection c = admin(database); Statement s = c.createStatement()) {
            s.execute("ALTER SCHEMA public OWNER TO " + ident(owner));
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("GRANT USAGE ON SCHEMA public TO " + ident(appRole));
            s.execute("GRANT CONNECT ON DATABASE " + ident(database) + " TO " + ident(appRole));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Roles and databases of the platform: the control plane and one database per local region. */
    public void preparePlatform(Secrets secrets, Iterable<String> databases) {
        ensureRole(OWNER_ROLE, secrets.get(Secrets.DB_OWNER_PASSWORD), true);
        ensureRole(APP_ROLE, secrets.get(Secrets.DB_APP_PASSWORD), false);
        for (String db : databases) {
            ensureDatabase(db, OWNER_ROLE, APP_ROLE);
        }
    }

    public Connection admin(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), adminUser, adminPassword);
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
            }
        }
    }

    private static String ident(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("unsafe SQL identifier: " + name);
        }
        return name;
    }
}
