package dev.meridian.inference.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.ModelChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.inference.config.InferenceConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@code <region>.models.changes} from the end, every partition, no consumer group (every inference replica
 * must see every event), and drops cached deployments (and, for deletions, sessions) of the model named. Each
 * (re)connect drops all cached deployments, since events may have passed unseen. Runs only when tenant models are
 * served ({@code meridian.inference.tenant-models.registry-url}).
 */
@ApplicationScoped
public class ModelChangesListener {

    private static final Logger LOG = Logger.getLogger(ModelChangesListener.class);

    @Inject
    InferenceConfig config;
    @Inject
    TenantModels models;
    @Inject
    Deployments deployments;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;

    void start(@Observes StartupEvent event) {
        if (config.tenantModels().registryUrl().isEmpty()) {
            return;
        }
        running = true;
        Thread.ofPlatform().name("model-changes").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void run() {
        String topic = ModelChange.topic(config.region());
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(KafkaConnection.of(kafkaConfig).with(Map.<String, Object>of(
                    "client.id", "inference-model-changes", "enable.auto.commit", false,
                    // the registry creates the topic; asking the broker to would be refused (no Create for inference)
                    "allow.auto.create.topics", false,
                    "request.timeout.ms", 3000, "default.api.timeout.ms", 5000, "reconnect.backoff.max.ms", 2000)),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                var found = c.partitionsFor(topic, Duration.ofSeconds(5));
                while (running && (found == null || found.isEmpty())) {
                    // The registry creates the topic when it starts; until then there is nothing to miss.
                    sleep(1000);
                    found = c.partitionsFor(topic, Duration.ofSeconds(5));
                }
                if (!running) {
                    return;
                }
                List<TopicPartition> partitions = found.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position);
                deployments.invalidateAll();
                warned = false;
                LOG.infof("listening to %s (%d partitions)", topic, partitions.size());
                while (running) {
                    for (var record : c.poll(Duration.ofMillis(100))) {
                        apply(record.value());
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!warned) {
                    LOG.warnf("cannot read %s (%s); deployments expire by TTL until it is back", topic, e.toString());
                    warned = true;
                }
                sleep(1000);
            } finally {
                consumer = null;
            }
        }
    }

    void apply(String value) {
        try {
            ModelChange change = json.readValue(value, ModelChange.class);
            if (change.tenantId() != null && change.model() != null) {
                models.changed(change.tenantId(), change.model(), change.version(), !ModelChange.VERSION_DEPLOYED.equals(change.type()));
            }
        } catch (IOException e) {
            LOG.warnf("ignoring unreadable model change: %s", e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
