package dev.meridian.billing.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meridian.billing.usage.messaging.UsageBatches;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.ids.TimeOrderedIds;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.stack.KafkaBroker;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;

/**
 * Benchmark driver (not a test): usage ingestion into billing's real schema on an embedded PostgreSQL (fsync on),
 * through the same {@link UsageIngestor} the Kafka consumer uses, as the app role under row-level security.
 * Compares, in one run and with the same events and batch size: exactly-once ingestion (dedup + hourly aggregates),
 * the same events replayed (all duplicates), and a plain multi-row insert of the events into a table without keys.
 * With {@code kafka} as the sixth argument it then also runs the production path through a real broker.
 * Run with {@code billing/bench-ingestion [events] [batch] [spread-hours] [sessions] [live|random] [kafka]}.
 */
public final class IngestionBench {

    private static final String KAFKA_DATABASE = "bench_kafka";
    /** Events that go through the Kafka path before it is timed, and their topic. */
    private static final int KAFKA_WARM_UP = 200_000;
    private static final String WARM_UP_TOPIC = "usage.events.bench-warm-up";
    /** {@code -Dbench.trace=true} (BENCH_JAVA_OPTS): each consumer batch's size, start and time. */
    private static final boolean TRACE = Boolean.getBoolean("bench.trace");

    private IngestionBench() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int spreadHours = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int sessions = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Workload workload = args.length > 4 ? Workload.valueOf(args[4].toUpperCase(Locale.ROOT)) : Workload.LIVE;
        boolean viaKafka = args.length > 5 && args[5].equals("kafka");
        Path dir = Files.createTempDirectory("billing-bench");
        Secrets secrets = Secrets.random();
        try (PostgresServer pg = PostgresServer.embedded(Ports.free(), dir.resolve("pg"), true)) {
            pg.preparePlatform(secrets, List.of("meridian_control", KAFKA_DATABASE));
            String url = pg.jdbcUrl("meridian_control");
            migrate(url, secrets);
            try (Connection owner = DriverManager.getConnection(url, PostgresServer.OWNER_ROLE,
                    secrets.get(Secrets.DB_OWNER_PASSWORD))) {
                owner.createStatement().execute("create table billing.bench_plain (id uuid, tenant_id uuid,"
                        + " region text, meter text, quantity bigint, model text, key_id uuid, occurred_at timestamptz)");
                owner.createStatement().execute("grant insert on billing.bench_plain to " + PostgresServer.APP_ROLE);
            }
            List<UsageEvent> events = generate(total, spreadHours, workload);
            String appUrl = url + "?currentSchema=billing";
            String appPassword = secrets.get(Secrets.DB_APP_PASSWORD);
            UsageIngestor ingestor = new UsageIngestor("payg");
            // a short warm-up on other events, so the JIT and the plan cache do not count against the first run
            runParallel(appUrl, appPassword, generate(50_000, spreadHours, workload), batch, sessions, ingestor, "warm-up");
            double dedup = runParallel(appUrl, appPassword, events, batch, sessions, ingestor,
                    "exactly-once (dedup + hourly aggregates)");
            double replay = runParallel(appUrl, appPassword, events, batch, sessions, ingestor,
                    "the same events replayed (all duplicates)");
            double plain = runParallel(appUrl, appPassword, events, batch, sessions, null,
                    "plain insert (no dedup, no aggregates)");
            String kafka = "";
            if (viaKafka) {
                String kafkaUrl = pg.jdbcUrl(KAFKA_DATABASE);
                migrate(kafkaUrl, secrets);
                kafka = String.format(" kafka=%.0f/s", throughKafka(dir, kafkaUrl + "?currentSchema=billing",
                        appPassword, events, generate(KAFKA_WARM_UP, spreadHours, workload), batch, sessions));
            }
            System.out.printf("%nRESULT events=%d batch=%d spread=%dh sessions=%d workload=%s dedup=%.0f/s"
                    + " replay=%.0f/s plain=%.0f/s%s%n", total, batch, spreadHours, sessions,
                    workload.name().toLowerCase(Locale.ROOT), dedup, replay, plain, kafka);
        }
    }

    private static void migrate(String url, Secrets secrets) {
        Flyway.configure().dataSource(url, PostgresServer.OWNER_ROLE, secrets.get(Secrets.DB_OWNER_PASSWORD))
                .schemas("billing").defaultSchema("billing").table("billing_schema_history")
                .placeholders(Map.of("app_role", PostgresServer.APP_ROLE)).load().migrate();
    }

    /**
     * The production path end to end, into a fresh schema: the events are first published to {@code usage.events}
     * on a real broker (as gateways publish them: idempotent, acks=all, JSON), then {@code consumers} consumer threads
     * of one group run billing's own {@link UsageBatches} (decode, check, one transaction per poll, offsets committed
     * after it) until every event is billed. The time counts from the consumers' start, group join included; before
     * it, the same consumer code has ingested {@value #KAFKA_WARM_UP} other events from a topic of their own.
     */
    private static double throughKafka(Path dir, String url, String password, List<UsageEvent> events,
            List<UsageEvent> warmUp, int batch, int consumers) throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(MeridianHome.locate(), Secrets.random(), Ports.free(),
                Ports.free(), dir.resolve("kafka"), dir.resolve("logs"), null)) {
            KafkaConnection admin = KafkaConnection.of(kafka.adminSettings());
            // as billing creates it: meridian.billing.ingest.partitions, default 6
            KafkaTopics.ensure(admin, Set.of(UsageEvent.TOPIC), 6, (short) 1);
            ObjectMapper json = JsonMapper.builder().findAndAddModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
            KafkaTopics.ensure(admin, Set.of(WARM_UP_TOPIC), 6, (short) 1);
            publish(admin, json, WARM_UP_TOPIC, warmUp);
            long p0 = System.nanoTime();
            publish(admin, json, UsageEvent.TOPIC, events);
            System.out.printf("%-45s %,10d events, %6.2f s%n", "published to usage.events", events.size(),
                    (System.nanoTime() - p0) / 1e9);
            // pooled as in the service (Agroal), so each batch reuses a warm session and its prepared statements
            AgroalDataSource db = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .connectionPoolConfiguration(pool -> pool.maxSize(consumers)
                            .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                    .principal(new NamePrincipal(PostgresServer.APP_ROLE))
                                    .credential(new SimplePassword(password)))));
            // The consumers' own path (decode, check, ingest) compiled first, on other tenants' events of a topic of
            // their own: a long-running consumer is compiled, and the first batches of a cold one took 1.7 s, not 0.6.
            UsageBatches warming = new UsageBatches(json, new UsageIngestor("payg"), db,
                    () -> java.time.Instant.MIN);
            long w0 = System.nanoTime();
            List<BatchConsumer<String, byte[]>> warmers = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                warmers.add(BatchConsumer.start("bench-warm-up-" + i, admin,
                        UsageBatches.consumerProperties("bench-warm-up", batch), new StringDeserializer(),
                        new ByteArrayDeserializer(), List.of(WARM_UP_TOPIC), warming::handle));
            }
            await("the consumers to bill the warm-up events").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(5)).until(() -> warming.ingested() + warming.skipped() >= warmUp.size());
            warmers.forEach(BatchConsumer::close);
            System.out.printf("%-45s %,10d events, %6.2f s (not counted)%n", "consumers warmed up on", warmUp.size(),
                    (System.nanoTime() - w0) / 1e9);
            UsageBatches batches = new UsageBatches(json, new UsageIngestor("payg"), db,
                    () -> java.time.Instant.MIN);
            Properties props = UsageBatches.consumerProperties("bench", batch);
            long t0 = System.nanoTime();
            List<BatchConsumer<String, byte[]>> running = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                running.add(BatchConsumer.start("bench-consumer-" + i, admin, props, new StringDeserializer(),
                        new ByteArrayDeserializer(), List.of(UsageEvent.TOPIC), records -> {
                            long start = System.nanoTime();
                            batches.handle(records);
                            if (TRACE) {
                                System.out.printf("  %s: %,d events at %.2f s in %.0f ms%n",
                                        Thread.currentThread().getName(), records.count(), (start - t0) / 1e9,
                                        (System.nanoTime() - start) / 1e6);
                            }
                        }));
            }
            await("the consumers to bill all " + events.size() + " events").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(5)).until(() -> batches.ingested() + batches.skipped() >= events.size());
            double seconds = (System.nanoTime() - t0) / 1e9;
            running.forEach(BatchConsumer::close);
            db.close();
            double rate = events.size() / seconds;
            System.out.printf("%-45s %,10d events, %,10d new, %6.2f s, %,10.0f events/s%n",
                    "through Kafka (" + consumers + " consumer threads)", events.size(), batches.ingested(), seconds,
                    rate);
            return rate;
        }
    }

    /** Publishes {@code events} as gateways do: keyed by tenant, idempotent, acks=all, JSON. */
    private static void publish(KafkaConnection admin, ObjectMapper json, String topic, List<UsageEvent> events)
            throws Exception {
        try (var producer = new KafkaProducer<>(admin.with(Map.<String, Object>of(
                "acks", "all", "enable.idempotence", true, "linger.ms", 20, "batch.size", 256 * 1024)),
                new StringSerializer(), new ByteArraySerializer())) {
            for (UsageEvent e : events) {
                producer.send(new ProducerRecord<>(topic, e.tenantId().toString(), json.writeValueAsBytes(e)));
            }
            producer.flush();
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

    /** How the events' times and ids are laid out. */
    enum Workload {
        /**
         * As the consumer sees them: in arrival order, times rising over the spread, ids time-ordered as gateways make
         * them ({@link TimeOrderedIds}), and 1 % late events (a gateway's spool replayed) with times up to 48 hours old.
         */
        LIVE,
        /** The worst case: times uniformly random over the spread, ids random (version 4). */
        RANDOM
    }

    /** Events of 1000 tenants with 5 keys each, three meters, two models, over the last {@code hours}. */
    static List<UsageEvent> generate(int n, int hours, Workload workload) {
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
        long spreadMillis = hours * 3_600_000L;
        List<UsageEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int t = random.nextInt(tenants.length);
            Instant at;
            UUID id;
            if (workload == Workload.RANDOM) {
                at = now.minusMillis((long) (random.nextDouble() * spreadMillis));
                id = new UUID(random.nextLong(), random.nextLong());
            } else {
                boolean late = random.nextInt(100) == 0;
                at = late ? now.minusMillis((long) (random.nextDouble() * 48 * 3_600_000L))
                        : now.minusMillis(spreadMillis - spreadMillis * i / n);
                id = TimeOrderedIds.at(at);
            }
            events.add(new UsageEvent(id, tenants[t], "eu-central", meters[random.nextInt(meters.length)],
                    1 + random.nextInt(500), models[random.nextInt(2)], keys[t][random.nextInt(5)], at, "bench"));
        }
        return events;
    }
}
