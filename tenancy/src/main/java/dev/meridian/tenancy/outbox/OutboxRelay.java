package dev.meridian.tenancy.outbox;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.outbox.OutboxMetrics;
import dev.meridian.common.outbox.OutboxPublisher;
import dev.meridian.common.outbox.OutboxPurge;
import dev.meridian.tenancy.OutboxMessage;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.config.TenancyConfig;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Publishes tenancy's {@code outbox} rows to {@code tenancy.changes} through the shared {@link OutboxPublisher}, and
 * purges the published ones once they are older than {@code meridian.tenancy.outbox.retention} ({@link OutboxPurge}).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 200;

    @Inject
    EntityManager em;
    @Inject
    DataSource db;
    @Inject
    TenancyConfig config;
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
        var topics = new OutboxPublisher.Topics(Set.of(TenancyChange.TOPIC), config.outbox().partitions(),
                config.outbox().replicationFactor());
        publisher = OutboxPublisher.start("outbox-relay", KafkaConnection.of(kafkaConfig), topics, config.outbox().pollInterval(), BATCH,
                this::publishDue);
        meters = OutboxMetrics.register(registry, db, "outbox", publisher);
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        if (publisher != null) {
            publisher.close();
        }
    }

    @Scheduled(identity = "tenancy-outbox-purge", every = "{meridian.tenancy.outbox.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgePublished() {
        purgePublished(clock.instant());
    }

    /** Deletes the messages published before {@code now} minus the retention; returns how many. */
    public long purgePublished(Instant now) {
        return purge.purge(now);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Outbox.Written written) {
        publisher.wake();
    }

    private int publishDue(int limit, Consumer<List<OutboxPublisher.Message>> send) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<OutboxMessage> due = em.createNativeQuery("select * from outbox where published_at is null"
                    + " order by seq limit " + limit + " for update skip locked", OutboxMessage.class).getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            send.accept(due.stream().map(m -> new OutboxPublisher.Message(m.topic, m.messageKey, m.payload)).toList());
            Instant now = StoredTime.now();
            due.forEach(m -> m.publishedAt = now);
            return due.size();
        });
    }
}
