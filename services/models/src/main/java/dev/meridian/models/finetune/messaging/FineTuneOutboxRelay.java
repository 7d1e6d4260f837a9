package dev.meridian.models.finetune.messaging;

import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.outbox.OutboxMetrics;
import dev.meridian.common.outbox.OutboxPublisher;
import dev.meridian.common.outbox.OutboxPurge;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.finetune.FineTuneOutboxMessage;
import dev.meridian.models.finetune.config.FineTuneConfig;
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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Publishes the fine-tuning outbox (jobs for the workers, control messages such as cancel) through the shared
 * {@link OutboxPublisher}. Workers and the models service dedupe by id. Published rows are purged once older than
 * {@code meridian.models.outbox.retention} ({@link OutboxPurge}).
 */
@ApplicationScoped
public class FineTuneOutboxRelay {

    private static final int BATCH = 100;

    @Inject
    EntityManager em;
    @Inject
    DataSource db;
    @Inject
    MeterRegistry registry;
    @Inject
    ModelsConfig modelsConfig;
    @Inject
    Clock clock;
    @Inject
    FineTuneConfig config;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;
    @ConfigProperty(name = "meridian.models.region")
    String region;

    private OutboxPublisher publisher;
    private List<Meter> meters = List.of();
    private OutboxPurge purge;

    @PostConstruct
    void init() {
        purge = new OutboxPurge(db, "finetune_outbox", modelsConfig.outbox().retention(),
                modelsConfig.outbox().purgeBatch());
    }

    void start(@Observes StartupEvent event) {
        var topics = new OutboxPublisher.Topics(Set.of(FineTuneTopics.jobs(region), FineTuneTopics.events(region),
                FineTuneTopics.control(region)), config.outbox().partitions(), config.outbox().replicationFactor());
        publisher = OutboxPublisher.start("finetune-outbox-relay", KafkaConnection.of(kafkaConfig), topics, config.outbox().pollInterval(),
                BATCH, this::publishDue);
        meters = OutboxMetrics.register(registry, db, "finetune_outbox", publisher);
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        if (publisher != null) {
            publisher.close();
        }
    }

    @Scheduled(identity = "finetune-outbox-purge", every = "{meridian.models.outbox.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgePublished() {
        purgePublished(clock.instant());
    }

    /** Deletes the messages published before {@code now} minus the retention; returns how many. */
    public long purgePublished(Instant now) {
        return purge.purge(now);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) FineTuneOutbox.Written written) {
        publisher.wake();
    }

    private int publishDue(int limit, Consumer<List<OutboxPublisher.Message>> send) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<FineTuneOutboxMessage> due = em.createNativeQuery("select id, topic, message_key, payload,"
                    + " created_at, published_at from finetune_outbox where published_at is null order by seq limit "
                    + limit + " for update skip locked", FineTuneOutboxMessage.class).getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            send.accept(due.stream().map(m -> new OutboxPublisher.Message(m.topic, m.messageKey, m.payload)).toList());
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            due.forEach(m -> m.publishedAt = now);
            return due.size();
        });
    }
}
