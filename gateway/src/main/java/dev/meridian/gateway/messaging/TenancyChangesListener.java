package dev.meridian.gateway.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.gateway.apikeys.KeyDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Drops cached keys as soon as tenancy announces a change: {@code api_key.*} drops that key's prefix,
 * {@code tenant.*} and {@code member.*} every key and member caller of the tenant. Every gateway must see every event, so a dedicated thread reads all
 * partitions of {@code tenancy.changes} from the end with a plain consumer and no consumer group. If Kafka is away
 * the gateway keeps serving (the cache TTL bounds staleness), warns once, and keeps trying; each time it
 * (re)connects it empties the cache, since events may have passed while it was not listening.
 */
@ApplicationScoped
public class TenancyChangesListener {

    private static final Logger LOG = Logger.getLogger(TenancyChangesListener.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often the partition count is checked again, so partitions added later are read too. */
    private static final long PARTITION_CHECK_NANOS = Duration.ofSeconds(30).toNanos();

    @Inject
    KeyDirectory directory;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private volatile boolean running;
    private volatile boolean listening;
    private volatile KafkaConsumer<String, String> consumer;

    void start(@Observes StartupEvent event) {
        running = true;
        Thread.ofPlatform().name("tenancy-changes").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** True while the listener reads the topic; false while Kafka is away (keys then expire by TTL alone). */
    public boolean listening() {
        return listening;
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(kafka().with(Map.<String, Object>of(
                    "client.id", "gateway-tenancy-changes",
                    "enable.auto.commit", false,
                    "request.timeout.ms", 3000,
                    "default.api.timeout.ms", 5000,
                    "reconnect.backoff.max.ms", 2000)),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                ensureTopic();
                List<TopicPartition> partitions = partitions(c);
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position); // resolves the end offsets now, before we say we listen
                directory.invalidateAll();
                listening = true;
                warned = false;
                LOG.infof("listening to %s (%d partitions) for key and tenant changes", TenancyChange.TOPIC,
                        partitions.size());
                long checkedAt = System.nanoTime();
                while (running) {
                    for (var record : c.poll(POLL)) {
                        apply(record.value());
                    }
                    if (System.nanoTime() - checkedAt > PARTITION_CHECK_NANOS) {
                        addNewPartitions(c);
                        checkedAt = System.nanoTime();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                listening = false;
                if (!warned) {
                    LOG.warnf("cannot read %s from Kafka at %s (%s); cached keys expire by TTL until it is back",
                            TenancyChange.TOPIC, kafka(), e.toString());
                    warned = true;
                }
                sleep(1000);
            } finally {
                listening = false;
                consumer = null;
            }
        }
    }

    /** Applies one event; unreadable events are logged and skipped, never fatal. */
    void apply(String value) {
        TenancyChange change;
        try {
            change = json.readValue(value, TenancyChange.class);
        } catch (IOException e) {
            LOG.warnf("ignoring unreadable %s event: %s", TenancyChange.TOPIC, e.getMessage());
            return;
        }
        if (change.affectsWholeTenant()) {
            if (change.tenantId() != null) {
                directory.invalidateTenant(change.tenantId());
            }
        } else if (change.keyPrefix() != null) {
            directory.invalidate(change.keyPrefix());
        } else if (change.tenantId() != null) {
            // A member event (signed-in callers are cached per tenant and user), or a key event without its prefix:
            // we cannot tell which entry, so drop the tenant's.
            directory.invalidateTenant(change.tenantId());
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> c) {
        for (int attempt = 0; ; attempt++) {
            var found = c.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(5));
            if (found != null && !found.isEmpty()) {
                return found.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (attempt == 20) {
                throw new IllegalStateException("Kafka lists no partitions for " + TenancyChange.TOPIC);
            }
            sleep(250); // a topic just created takes a moment to show in metadata
        }
    }

    private static void addNewPartitions(KafkaConsumer<String, String> c) {
        Set<TopicPartition> assigned = c.assignment();
        List<TopicPartition> added = new ArrayList<>();
        for (var p : c.partitionsFor(TenancyChange.TOPIC, Duration.ofSeconds(5))) {
            var tp = new TopicPartition(p.topic(), p.partition());
            if (!assigned.contains(tp)) {
                added.add(tp);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        var all = new HashSet<>(assigned);
        all.addAll(added);
        c.assign(all);
        c.seekToBeginning(added); // everything in a new partition is newer than our start; re-dropping is harmless
        LOG.infof("%s grew to %d partitions; reading the new ones too", TenancyChange.TOPIC, all.size());
    }

    /** Partition count and replication from the broker's defaults; tenancy may have created it already. */
    private void ensureTopic() {
        KafkaTopics.ensureWithBrokerDefaults(kafka(), TenancyChange.TOPIC);
    }

    private KafkaConnection kafka() {
        return KafkaConnection.of(kafkaConfig);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
