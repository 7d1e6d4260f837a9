package dev.meridian.common.outbox;

import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.observe.TraceHeaders;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.HealthRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.hibernate.Session;

/**
 * A service's transactional outbox, from the write to Kafka, the same for every outbox table: {@link #write} adds a
 * message in the caller's transaction (with its trace context) and wakes the relay after the commit; the shared
 * {@link OutboxPublisher} publishes the rows in write order ({@code FOR UPDATE SKIP LOCKED}, marked published only
 * once Kafka acknowledged, so a Kafka outage leaves them waiting); the published ones are purged on a scheduled job
 * ({@link OutboxPurge}); {@link OutboxMetrics} and a readiness check of its own ({@link #call}) report it. A service
 * configures one per table ({@link Settings}) and produces it as a {@code @Startup} bean, closing it on disposal.
 */
public final class OutboxRelay implements HealthCheck, AutoCloseable {

    /** Rounds the loop may miss before readiness reports it stalled. */
    static final int STALLED_ROUNDS = 5;
    /**
     * The least time without a round that counts as stalled: longer than a round takes while Kafka is away (metadata
     * 2 s, acknowledgements 5 s, topic creation 5 s), so an outage never reads as a dead relay.
     */
    static final Duration STALLED_AT_LEAST = Duration.ofSeconds(30);

    /**
     * One outbox.
     *
     * @param name            the relay's thread, health check and scheduled purge are named after it
     * @param table           the outbox table ({@link OutboxTable} has its columns)
     * @param topics          the topics its rows go to, created on first use
     * @param pollInterval    how often the relay looks for rows a commit-time publish missed (Kafka down, a crash)
     * @param batch           most rows one publishing transaction claims
     * @param retention       how long a published row is kept before the purge deletes it
     * @param purgeInterval   how often the purge runs
     * @param purgeBatch      most rows one purge statement deletes
     */
    public record Settings(String name, String table, Set<String> topics, int partitions, short replicationFactor,
            Duration pollInterval, int batch, Duration retention, Duration purgeInterval, int purgeBatch) {
    }

    /**
     * What a relay uses of the service: its persistence unit, Kafka settings, meters, scheduler, readiness checks,
     * and the clock its purge reads (the service's, which tests may move); publish times and liveness are the
     * system's. A bean where the service indexes this library; the others produce it with the same arguments.
     */
    @Singleton
    public record Environment(EntityManager em, DataSource db, Map<String, Object> kafka, MeterRegistry registry,
            Scheduler scheduler, TransactionSynchronizationRegistry transactions, HealthRegistry readiness,
            Clock clock) {

        @Inject
        public Environment(EntityManager em, DataSource db,
                @Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry registry,
                Scheduler scheduler, TransactionSynchronizationRegistry transactions,
                @Readiness HealthRegistry readiness, Clock clock) {
            this.em = em;
            this.db = db;
            this.kafka = kafka;
            this.registry = registry;
            this.scheduler = scheduler;
            this.transactions = transactions;
            this.readiness = readiness;
            this.clock = clock;
        }
    }

    private final Clock system = Clock.systemUTC();
    private final Settings settings;
    private final Environment env;
    private final OutboxTable table;
    private final OutboxPurge purge;
    private final OutboxMetrics metrics;
    private final Duration stalledAfter;
    private final OutboxPublisher publisher;
    private final List<Meter> meters;

    private OutboxRelay(Settings settings, Environment env) {
        this.settings = settings;
        this.env = env;
        this.table = new OutboxTable(settings.table());
        this.purge = new OutboxPurge(env.db(), settings.table(), settings.retention(), settings.purgeBatch());
        this.metrics = new OutboxMetrics(env.db(), settings.table(), System::nanoTime);
        this.stalledAfter = stalledAfter(settings.pollInterval());
        var topics = new OutboxPublisher.Topics(settings.topics(), settings.partitions(), settings.replicationFactor());
        this.publisher = OutboxPublisher.start(settings.name(), KafkaConnection.of(env.kafka()), topics,
                settings.pollInterval(), settings.batch(), this::publishDue, system);
        this.meters = metrics.register(env.registry(), publisher);
        env.scheduler().newJob(purgeJob())
                .setInterval(settings.purgeInterval().toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> purgePublished(env.clock().instant()))
                .schedule();
        env.readiness().register(settings.name(), this);
    }

    /** Starts publishing {@code settings.table()} and purging it. */
    public static OutboxRelay start(Settings settings, Environment env) {
        return new OutboxRelay(settings, env);
    }

    /**
     * Writes a message in the caller's transaction (published only if it commits) with the current trace context,
     * and has the relay publish it right after the commit.
     */
    public void write(UUID id, String topic, String key, String payload, Instant createdAt) {
        var message = new OutboxPublisher.Message(topic, key, payload, TraceHeaders.current());
        env.em().unwrap(Session.class).doWork(connection -> table.insert(connection, id, message, createdAt));
        var transactions = env.transactions();
        if (transactions.getResource(this) == null) {
            transactions.putResource(this, Boolean.TRUE);
            transactions.registerInterposedSynchronization(new WakeAfterCommit());
        }
    }

    /** Publishes up to one batch now, on the caller's thread; returns how many messages it published. */
    public int publishBatch() {
        return publisher.publishBatch();
    }

    /** Deletes the messages published before {@code now} minus the retention; returns how many. */
    public long purgePublished(Instant now) {
        return purge.purge(now);
    }

    /**
     * DOWN only when the relay's loop has finished no round for {@link #STALLED_ROUNDS} poll intervals (its thread
     * dead or wedged). Kafka away keeps it UP, with the backlog, the oldest row's age and the last publish in the
     * data: the outbox is there to buffer writes through an outage, which must not take the service's API down.
     */
    @Override
    public HealthCheckResponse call() {
        return readiness(settings.name(), system.instant(), stalledAfter, publisher.lastProgress(),
                publisher.lastPublished(), publisher.lastFailure(), metrics.backlog());
    }

    static HealthCheckResponse readiness(String name, Instant now, Duration stalledAfter, Instant lastProgress,
            Optional<Instant> lastPublished, Optional<String> lastFailure, OutboxMetrics.Backlog backlog) {
        Map<String, Object> data = new LinkedHashMap<>();
        boolean alive = !Duration.between(lastProgress, now).minus(stalledAfter).isPositive();
        data.put("relay", alive ? "running" : "no round since " + lastProgress + " (stalled after " + stalledAfter
                + ")");
        data.put("kafka", lastFailure.map(f -> "unreachable, messages wait: " + f).orElse("reachable"));
        if (backlog.rows() >= 0) {
            data.put("backlog", backlog.rows());
            data.put("oldestUnpublishedAgeSeconds", (long) Math.ceil(backlog.oldestAgeSeconds()));
        } else {
            data.put("backlog", "unknown: the database is unreachable");
        }
        data.put("lastPublished", lastPublished.map(Instant::toString).orElse("never since start"));
        return new HealthCheckResponse(name, alive ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                Optional.of(data));
    }

    private int publishDue(int limit, Consumer<List<OutboxPublisher.Message>> send) {
        return QuarkusTransaction.requiringNew().call(() -> env.em().unwrap(Session.class).doReturningWork(c -> {
            var due = table.claim(c, limit);
            if (!due.isEmpty()) {
                send.accept(due.stream().map(OutboxTable.Row::message).toList());
                table.markPublished(c, due, system.instant());
            }
            return due.size();
        }));
    }

    private String purgeJob() {
        return settings.name() + "-purge";
    }

    /** How long the loop may go without a round before it counts as stalled. */
    static Duration stalledAfter(Duration pollInterval) {
        Duration rounds = pollInterval.multipliedBy(STALLED_ROUNDS);
        return rounds.compareTo(STALLED_AT_LEAST) >= 0 ? rounds : STALLED_AT_LEAST;
    }

    @Override
    public void close() {
        env.readiness().remove(settings.name());
        env.scheduler().unscheduleJob(purgeJob());
        meters.forEach(env.registry()::remove);
        publisher.close();
    }

    private final class WakeAfterCommit implements Synchronization {

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
                publisher.wake();
            }
        }
    }
}
