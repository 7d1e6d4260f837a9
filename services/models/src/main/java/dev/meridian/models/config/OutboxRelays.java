package dev.meridian.models.config;

import dev.meridian.common.events.ModelChange;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.models.finetune.config.FineTuneConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.HealthRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.Readiness;

/**
 * The service's two outboxes on the shared relay, each purged after {@code meridian.models.outbox.retention}:
 * {@code registry_outbox} ({@code <region>.models.changes} and stored-bytes usage events; consumers dedupe or, like
 * inference, only drop caches) and {@code finetune_outbox} (jobs for the workers, control messages such as cancel;
 * workers dedupe by id).
 */
public class OutboxRelays {

    public static final String REGISTRY = "registry";
    public static final String FINETUNE = "finetune";

    @Produces
    @Startup
    @Singleton
    @Identifier(REGISTRY)
    OutboxRelay registry(ModelsConfig config, OutboxRelay.Environment env) {
        var outbox = config.outbox();
        return OutboxRelay.start(new OutboxRelay.Settings("registry-outbox-relay", "registry_outbox",
                Set.of(ModelChange.topic(config.region())), 3, (short) 1, Duration.ofSeconds(1), 200,
                outbox.retention(), outbox.purgeInterval(), outbox.purgeBatch()), env);
    }

    @Produces
    @Startup
    @Singleton
    @Identifier(FINETUNE)
    OutboxRelay fineTune(ModelsConfig models, FineTuneConfig config, OutboxRelay.Environment env) {
        var region = models.region();
        var topics = Set.of(FineTuneTopics.jobs(region), FineTuneTopics.events(region), FineTuneTopics.control(region));
        return OutboxRelay.start(new OutboxRelay.Settings("finetune-outbox-relay", "finetune_outbox", topics,
                config.outbox().partitions(), config.outbox().replicationFactor(), config.outbox().pollInterval(), 100,
                models.outbox().retention(), models.outbox().purgeInterval(), models.outbox().purgeBatch()), env);
    }

    /** What the relays use of this service (a bean of its own where a service indexes meridian-common). */
    @Produces
    @Singleton
    OutboxRelay.Environment environment(EntityManager em, DataSource db, MeterRegistry registry, Scheduler scheduler,
            @Identifier("default-kafka-broker") Map<String, Object> kafka, TransactionSynchronizationRegistry tx,
            @Readiness HealthRegistry readiness, Clock clock) {
        return new OutboxRelay.Environment(em, db, kafka, registry, scheduler, tx, readiness, clock);
    }

    void closeRegistry(@Disposes @Identifier(REGISTRY) OutboxRelay relay) {
        relay.close();
    }

    void closeFineTune(@Disposes @Identifier(FINETUNE) OutboxRelay relay) {
        relay.close();
    }
}
