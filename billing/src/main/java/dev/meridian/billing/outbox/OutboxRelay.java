package dev.meridian.billing.outbox;

import dev.meridian.billing.budgets.service.BudgetAlerts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.outbox.OutboxMetrics;
import dev.meridian.common.outbox.OutboxPublisher;
import dev.meridian.common.outbox.OutboxPurge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Publishes billing's outbox ({@code billing.alerts}, {@code billing.plans}) through the shared
 * {@link OutboxPublisher}: right after each commit that wrote to it, every 5 s as the safety net, and in each round of
 * the billing jobs. Alert consumers dedupe by the alert's {@code id}, tenancy applies plan changes by version.
 * Published rows are purged once older than {@code meridian.billing.outbox.retention} ({@link OutboxPurge}).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 200;

    @Inject
    EntityManager em;
    @Inject
    DataSource db;
    @Inject
    BillingConfig config;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry registry;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private OutboxPublisher publisher;
    private List<Meter> meters = List.of();
    private OutboxPurge purge;

    @PostConstruct
    void init() {
        purge = new OutboxPurge(db, "outbox", config.outbox().retention(), config.outbox().purgeBatch());
    }

    void start(@Observes StartupEvent event) {
        var topics = new OutboxPublisher.Topics(Set.of(BudgetAlerts.TOPIC, PlanChange.TOPIC), 3, (short) 1);
        publisher = OutboxPublisher.start("billing-outbox-relay", KafkaConnection.of(kafkaConfig), topics, Duration.ofSeconds(5), BATCH,
                this::publishDue);
        meters = OutboxMetrics.register(registry, db, "outbox", publisher);
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        if (publisher != null) {
            publisher.close();
        }
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Outbox.Written written) {
        publisher.wake();
    }

    @Scheduled(identity = "billing-outbox-purge", every = "{meridian.billing.outbox.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgePublished() {
        purgePublished(clock.instant());
    }

    /** Deletes the messages published before {@code now} minus the retention; returns how many. */
    public long purgePublished(Instant now) {
        return purge.purge(now);
    }

    /** Publishes up to one batch now, on the caller's thread; returns how many messages it published. */
    public int publishBatch() {
        return publisher.publishBatch();
    }

    private int publishDue(int limit, Consumer<List<OutboxPublisher.Message>> send) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> due = em.createNativeQuery("select id, topic, message_key, payload from outbox"
                    + " where published_at is null order by seq limit " + limit + " for update skip locked")
                    .getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            send.accept(due.stream()
                    .map(m -> new OutboxPublisher.Message((String) m[1], (String) m[2], (String) m[3])).toList());
            for (Object[] m : due) {
                em.createNativeQuery("update outbox set published_at = now() where id = :id")
                        .setParameter("id", m[0]).executeUpdate();
            }
            return due.size();
        });
    }
}
