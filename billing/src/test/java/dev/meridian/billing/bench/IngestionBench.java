package dev.meridian.billing.bench;

import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * Benchmark driver (not a test): usage ingestion into billing's real schema on an embedded PostgreSQL (fsync on),
 * through the same {@link UsageIngestor} the Kafka consumer uses, as the app role under row-level security.
 * Compares, in one run and with the same events and batch size: exactly-once ingestion (dedup + hourly aggregates),
 * the same events replayed (all duplicates), and a plain multi-row insert of the events into a table without keys.
 * Run with {@code billing/bench-ingestion [events] [batch] [spread-hours]}.
 */
public final class IngestionBench {

    private IngestionBench() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int spreadHours = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        int sessions = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path dir = Files.createTempDirectory("billing-bench");
        Secrets secrets = Secrets.random();
        try (PostgresServer pg = PostgresServer.embedded(Ports.free(), dir.resolve("pg"), true)) {
            pg.preparePlatform(secrets, List.of("meridian_control"));
            String url = pg.jdbcUrl("meridian_control");
            Flyway.configure().dataSource(url, PostgresServer.OWNER_ROLE, secrets.get(Secrets.DB_OWNER_PASSWORD))
                    .schemas("billing").defaultSchema("billing").table("billing_schema_history")
                    .placeholders(Map.of("app_role", PostgresServer.APP_ROLE)).load().migrate();
            try (Connection owner = DriverManager.getConnection(url, PostgresServer.OWNER_ROLE,
                    secrets.get(Secrets.DB_OWNER_PASSWORD))) {
                owner.createStatement().execute("create table billing.bench_plain (id uuid, tenant_id uuid,"
                        + " region text, meter text, quantity bigint, model text, key_id uuid, occurred_at timestamptz)");
                owner.createStatement().execute("grant insert on billing.bench_plain to " + PostgresServer.APP_ROLE);
            }
            List<UsageEvent> events = generate(total, spreadHours);
            String appUrl = url + "?currentSchema=billing";
            String appPassword = secrets.get(Secrets.DB_APP_PASSWORD);
            UsageIngestor ingestor = new UsageIngestor("payg");
            // a short warm-up on other events, so the JIT and the plan cache do not count against the first run
            runParallel(appUrl, appPassword, generate(50_000, spreadHours), batch, sessions, ingestor, "warm-up");
            double dedup = runParallel(appUrl, appPassword, events, batch, sessions, ingestor,
                    "exactly-once (dedup + hourly aggregates)");
            double replay = runParallel(appUrl, appPassword, events, batch, sessions, ingestor,
                    "the same events replayed (all duplicates)");
            double plain = runParallel(appUrl, appPassword, events, batch, sessions, null,
                    "plain insert (no dedup, no aggregates)");
            System.out.printf("%nRESULT events=%d batch=%d spread=%dh sessions=%d dedup=%.0f/s replay=%.0f/s"
                    + " plain=%.0f/s%n", total, batch, spreadHours, sessions, dedup, replay, plain);
        }
    }

    /**
     * Ingests with {@code sessions} connections at once, the events split by tenant as Kafka's partitioning by tenant
     * key splits them between consumers (so two sessions never update the same hourly row).
     */
    private static double runParallel(String url, String password, List<UsageEvent> events, int batch, int sessions,
            UsageIngestor ingestor, String what) throws Exception {
        List<List<UsageEvent>> parts = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            parts.add(new ArrayList<>());
        }
        for (UsageEvent e : events) {
            parts.get(Math.floorMod(e.tenantId().hashCode(), sessions)).add(e);
        }
        long t0 = System.nanoTime();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(sessions);
        List<java.util.concurrent.Future<Long>> done = new ArrayList<>();
        for (List<UsageEvent> part : parts) {
            done.add(pool.submit(() -> {
                try (Connection app = DriverManager.getConnection(url, PostgresServer.APP_ROLE, password)) {
                    app.setAutoCommit(false);
                    return ingestor == null ? runPlain(app, part, batch) : run(app, part, batch, ingestor);
                }
            }));
        }
        long fresh = 0;
        for (var f : done) {
            fresh += f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = events.size() / seconds;
        System.out.printf("%-45s %,10d events, %,10d new, %6.2f s, %,10.0f events/s%n", what, events.size(), fresh,
                seconds, rate);
        return rate;
    }

    private static long run(Connection app, List<UsageEvent> events, int batch, UsageIngestor ingestor)
            throws SQLException {
        long fresh = 0;
        for (int i = 0; i < events.size(); i += batch) {
            fresh += ingestor.ingest(app, events.subList(i, Math.min(events.size(), i + batch)));
            app.commit();
        }
        return fresh;
    }

    /** The same events, the same batches, into a table without keys: what the dedup and aggregation cost. */
    private static long runPlain(Connection app, List<UsageEvent> events, int batch) throws SQLException {
        String sql = "insert into billing.bench_plain select * from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[],"
                + " ?::int8[], ?::text[], ?::uuid[], ?::timestamptz[])";
        try (PreparedStatement s = app.prepareStatement(sql)) {
            for (int i = 0; i < events.size(); i += batch) {
                List<UsageEvent> part = events.subList(i, Math.min(events.size(), i + batch));
                int n = part.size();
                String[] ids = new String[n], tenants = new String[n], regions = new String[n], meters = new String[n],
                        models = new String[n], keys = new String[n], at = new String[n];
                Long[] q = new Long[n];
                for (int j = 0; j < n; j++) {
                    UsageEvent e = part.get(j);
                    ids[j] = e.id().toString();
                    tenants[j] = e.tenantId().toString();
                    regions[j] = e.region();
                    meters[j] = e.meter().wireName();
                    q[j] = e.quantity();
                    models[j] = e.model();
                    keys[j] = e.keyId() == null ? null : e.keyId().toString();
                    at[j] = e.occurredAt().toString();
                }
                s.setArray(1, app.createArrayOf("text", ids));
                s.setArray(2, app.createArrayOf("text", tenants));
                s.setArray(3, app.createArrayOf("text", regions));
                s.setArray(4, app.createArrayOf("text", meters));
                s.setArray(5, app.createArrayOf("int8", q));
                s.setArray(6, app.createArrayOf("text", models));
                s.setArray(7, app.createArrayOf("text", keys));
                s.setArray(8, app.createArrayOf("text", at));
                s.executeUpdate();
                app.commit();
            }
        }
        return events.size();
    }

    /** Events of 1000 tenants with 5 keys each, three meters, two models, spread over the last {@code hours}. */
    static List<UsageEvent> generate(int n, int hours) {
        Random random = new Random(42 + n);
        UUID[] tenants = new UUID[1000];
        UUID[][] keys = new UUID[tenants.length][5];
        for (int t = 0; t < tenants.length; t++) {
            tenants[t] = new UUID(random.nextLong(), random.nextLong());
            for (int k = 0; k < 5; k++) {
                keys[t][k] = new UUID(random.nextLong(), random.nextLong());
            }
        }
        Meter[] meters = {Meter.REQUESTS, Meter.INPUT_TOKENS, Meter.EMBEDDED_ITEMS};
        String[] models = {"bge-small-en-v1.5", "all-minilm-l6-v2"};
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<UsageEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int t = random.nextInt(tenants.length);
            events.add(new UsageEvent(new UUID(random.nextLong(), random.nextLong()), tenants[t], "eu-central",
                    meters[random.nextInt(meters.length)], 1 + random.nextInt(500), models[random.nextInt(2)],
                    keys[t][random.nextInt(5)], now.minusMillis(random.nextInt(hours * 3600 * 1000)), "bench"));
        }
        return events;
    }
}
