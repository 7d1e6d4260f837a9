package dev.meridian.gateway.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.gateway.apikeys.KeyDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Drops cached keys as soon as tenancy announces a change. Every gateway must see every event, so this reads all
 * partitions of {@code tenancy.changes} from the end, without a consumer group. If Kafka is away the gateway keeps
 * serving (cache TTLs bound the staleness) and this keeps trying.
 */
@ApplicationScoped
public class TenancyChangesListener {

    private static final Logger LOG = Logger.getLogger(TenancyChangesListener.class);

    @Inject
    KeyDirectory directory;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        running = true;
        thread = Thread.ofPlatform().name("tenancy-changes").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
                    "client.id", "gateway-tenancy-changes", "request.timeout.ms", 3000,
                    "default.api.timeout.ms", 5000),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                ensureTopic();
                List<TopicPartition> partitions = c.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position);
                LOG.infof("listening to %s (%d partitions) for key and tenant changes", TenancyChange.TOPIC,
                        partitions.size());
                warned = false;
                while (running) {
                    for (var record : c.poll(Duration.ofMillis(100))) {
                        apply(record.value());
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!warned) {
                    LOG.warnf(e, "cannot read %s from Kafka at %s (%s); cached keys expire by TTL until it is back",
                            TenancyChange.TOPIC, bootstrap, e.getMessage());
                    warned = true;
                }
                sleep(1000);
            }
        }
    }

    void apply(String value) {
        try {
            TenancyChange change = json.readValue(value, TenancyChange.class);
            if (change.affectsWholeTenant() && change.tenantId() != null) {
                directory.invalidateTenant(change.tenantId());
            } else if (change.keyPrefix() != null) {
                directory.invalidate(change.keyPrefix());
            }
        } catch (java.io.IOException e) {
            LOG.warnf("ignoring unreadable %s event: %s", TenancyChange.TOPIC, e.getMessage());
        }
    }

    private void ensureTopic() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
            admin.createTopics(Set.of(new NewTopic(TenancyChange.TOPIC, 3, (short) 1))).all().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka does not answer", e);
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
