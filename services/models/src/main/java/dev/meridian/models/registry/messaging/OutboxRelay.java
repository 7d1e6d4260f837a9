package dev.meridian.models.registry.messaging;

import dev.meridian.common.events.ModelChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.outbox.OutboxMetrics;
import dev.meridian.common.outbox.OutboxPublisher;
import dev.meridian.common.outbox.OutboxPurge;
import dev.meridian.models.RegistryOutboxMessage;
import dev.meridian.models.config.ModelsConfig;
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
 * Publishes {@code registry_outbox} rows to {@code <region>.models.changes} through the shared
 * {@link OutboxPublisher}: right after each commit that wrote one, and every second as the safety net. Consumers
 * dedupe or, like inference, only drop caches, which is idempotent. Published rows are purged once older than
 * {@code meridian.models.outbox.retention} ({@link OutboxPurge}).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 200;

    @Inject
    EntityManager em;
    @Inject
    DataSource db;
    @Inject
    MeterRegistry registry;
    @Inject
    Clock clock;
    @Inject
    ModelsConfig config;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private OutboxPublisher publisher;
    private List<Meter> meters = List.of();
    private OutboxPurge purge;

    @PostConstruct
    void init() {
        purge = new OutboxPurge(db, "registry_outbox", config.outbox().retention(), config.outbox().purgeBatch());
    }

    void start(@Observes StartupEvent event) {
        var topics = new OutboxPublisher.Topics(Set.of(ModelChange.topic(config.region())), 3, (short) 1);
        publisher = OutboxPublisher.start("registry-outbox-relay", KafkaConnection.of(kafkaConfig), topics, Duration.ofSeconds(1), BATCH,
                this::publishDue);
        meters = OutboxMetrics.register(registry, db, "registry_outbox", publisher);
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        if (publisher != null) {
            publisher.close();
        }
    }

    @Scheduled(identity = "registry-outbox-purge", every = "{meridian.models.outbox.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgePublished() {
        purgePublished(clock.instant());
    }

    /** Deletes the messages published before {@code now} minus the retention; returns how many. */
    public long purgePublished(Instant now) {
        return purge.purge(now);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) ModelChanges.Written written) {
        publisher.wake();
    }

    private int publishDue(int limit, Consumer<List<OutboxPublisher.Message>> send) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<RegistryOutboxMessage> due = em.createNativeQuery("select * from registry_outbox"
                    + " where published_at is null order by seq limit " + limit + " for update skip locked",
                    RegistryOutboxMessage.class).getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            send.accept(due.stream().map(m -> new OutboxPublisher.Message(m.topic, m.messageKey, m.payload)).toList());
            Instant now = Instant.now();
            due.forEach(m -> m.publishedAt = now);
            return due.size();
        });
    }
}
