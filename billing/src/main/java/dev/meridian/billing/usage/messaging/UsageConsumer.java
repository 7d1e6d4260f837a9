package dev.meridian.billing.usage.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.kafka.HeldPartitions;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.kafka.RecordRetry;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.ApplyGuard;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code usage.events} in large batches ({@code mp.messaging.incoming.usage-events.*}, {@code batch=true}: one
 * call per poll) on {@code meridian.billing.ingest.consumers} consumers of one group ({@code concurrency}): Kafka
 * splits the topic's partitions, keyed by tenant, between them, and each handles its batches in order, so two never
 * write the same tenant's rows at once. Each batch is ingested in one database transaction ({@link UsageBatches}) and
 * acknowledged only when that committed; the connector's throttled strategy then commits the offsets of acknowledged
 * batches, never past one that is not. A crash between the two replays the batch, which the id dedup turns into a
 * no-op; so nothing is lost and nothing is billed twice. A failed batch is retried in place ({@link RecordRetry}).
 */
@ApplicationScoped
public class UsageConsumer {

    static final String CHANNEL = "usage-events";

    @Inject
    java.time.Clock clock;
    @Inject
    BillingConfig config;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry registry;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private volatile UsageBatches batches;
    private List<Meter> meters = List.of();
    @Inject
    @Identifier(CHANNEL)
    Rebalance rebalance;

    /** Before the messaging extension subscribes (its start observes at priority LIBRARY_BEFORE). */
    void start(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 1) StartupEvent event) {
        if (!config.ingest().enabled()) {
            return;
        }
        batches = new UsageBatches(json, new UsageIngestor(config.defaultPlan()), dataSource,
                () -> clock.instant().minus(config.retention().rawUsage()));
        // removed at stop: a registry can outlive the application in a test JVM and would keep reading this one
        meters = List.of(FunctionCounter.builder("meridian.billing.usage.events.ingested", this,
                                UsageConsumer::ingested)
                        .description("Usage events ingested (new; replays of an event id are not counted)")
                        .register(registry),
                FunctionCounter.builder("meridian.billing.usage.events.skipped", this, UsageConsumer::skipped)
                        .description("Usage events skipped as unreadable or invalid").register(registry));
        // created here with enough partitions for the consumers when gateways have not published yet
        KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), UsageEvent.TOPIC, config.ingest().partitions(),
                config.ingest().replicationFactor());
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
    }

    /** Ingests one poll in one transaction; throws (nothing acknowledged) to have it retried. */
    @Incoming(CHANNEL)
    @Blocking
    @ApplyGuard(RecordRetry.GUARD)
    public void ingest(ConsumerRecords<String, byte[]> records) throws Exception {
        batches.handle(records);
    }

    /**
     * The partitions of {@code usage.events} the consumers hold now. Usage is ingested only from these: until the
     * group has assigned every partition (after start, after a rebalance), some tenants' usage waits.
     */
    public Set<TopicPartition> assignment() {
        return rebalance.held();
    }

    /** Events billed (new) since start. */
    public long ingested() {
        var b = batches;
        return b == null ? 0 : b.ingested();
    }

    /** Events that could not be billed (malformed), logged and skipped. */
    public long skipped() {
        var b = batches;
        return b == null ? 0 : b.skipped();
    }

    /** Keeps {@link #assignment} current for every consumer of the channel. */
    @Singleton
    @Identifier(CHANNEL)
    static class Rebalance extends HeldPartitions {
    }
}
