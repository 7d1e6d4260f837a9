package dev.meridian.billing.usage.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.usage.service.UsageIngestor;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Consumes {@code usage.events} in large batches on {@code meridian.billing.ingest.consumers} threads of one consumer
 * group (Kafka splits the topic's partitions, keyed by tenant, between them, so two threads never write the same
 * tenant's rows). Each poll is ingested in one database transaction ({@link UsageBatches}), and only after that
 * commit are the Kafka offsets committed. A crash between the two replays the batch, which the id dedup turns into a
 * no-op; so nothing is lost and nothing is billed twice. A failed batch is not committed: the consumer seeks back and
 * retries it.
 */
@ApplicationScoped
public class UsageConsumer {

    @Inject
    BillingConfig config;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private final List<BatchConsumer<String, byte[]>> consumers = new CopyOnWriteArrayList<>();
    @Inject
    MeterRegistry registry;

    private UsageBatches batches;
    private List<Meter> meters = List.of();

    void start(@Observes StartupEvent event) {
        if (!config.ingest().enabled()) {
            return;
        }
        batches = new UsageBatches(json, new UsageIngestor(config.defaultPlan()), dataSource);
        // removed at stop: a registry can outlive the application in a test JVM and would keep reading this one
        meters = List.of(FunctionCounter.builder("meridian.billing.usage.events.ingested", this,
                                UsageConsumer::ingested)
                        .description("Usage events ingested (new; replays of an event id are not counted)")
                        .register(registry),
                FunctionCounter.builder("meridian.billing.usage.events.skipped", this, UsageConsumer::skipped)
                        .description("Usage events skipped as unreadable or invalid").register(registry));
        // created here with enough partitions for the consumer threads when gateways have not published yet
        KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), UsageEvent.TOPIC, config.ingest().partitions(),
                config.ingest().replicationFactor());
        startLoop();
    }

    void stop(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        stopLoop();
    }

    /**
     * Stops the consumers as abruptly as a crash would between batches (a batch ingested but not yet committed to
     * Kafka is consumed again) and starts them again. For operators' tools and the restart test.
     */
    public synchronized void restart() {
        stopLoop();
        startLoop();
    }

    private synchronized void startLoop() {
        Properties p = UsageBatches.consumerProperties(config.ingest().group(), config.ingest().maxPollRecords());
        for (int i = 0; i < config.ingest().consumers(); i++) {
            consumers.add(BatchConsumer.start("usage-consumer-" + i, KafkaConnection.of(kafkaConfig), p,
                    new StringDeserializer(), new ByteArrayDeserializer(), List.of(UsageEvent.TOPIC), batches::handle));
        }
    }

    private synchronized void stopLoop() {
        consumers.forEach(BatchConsumer::close);
        consumers.clear();
    }

    /**
     * The partitions of {@code usage.events} the consumer threads hold now. Usage is ingested only from these: until
     * the group has assigned every partition (after start, after {@link #restart}), some tenants' usage waits.
     */
    public Set<TopicPartition> assignment() {
        Set<TopicPartition> all = new HashSet<>();
        consumers.forEach(c -> all.addAll(c.assignment()));
        return all;
    }

    /** Events billed (new) since start. */
    public long ingested() {
        return batches == null ? 0 : batches.ingested();
    }

    /** Events that could not be billed (malformed), logged and skipped. */
    public long skipped() {
        return batches == null ? 0 : batches.skipped();
    }
}
