package dev.meridian.tenancy.tenants.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.PlanChange;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Applies billing's plan changes ({@code billing.plans}) to tenancy's copy of each tenant's plan, which sets the
 * gateways' rate limits. Each event is applied in its own transaction and the Kafka offsets are committed after it,
 * so a crash replays events, which their version turns into no-ops. A batch that fails is retried from its start.
 */
@ApplicationScoped
public class PlanChangeConsumer {

    private static final Logger LOG = Logger.getLogger(PlanChangeConsumer.class);

    @Inject
    TenancyConfig config;
    @Inject
    TenantService tenants;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;
    private ObjectMapper reader;

    void start(@Observes StartupEvent event) {
        if (!config.billingPlans().enabled()) {
            return;
        }
        // billing may add fields later; what tenancy needs is the plan and its version
        reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        running = true;
        thread = Thread.ofPlatform().name("plan-change-consumer").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        var c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.billingPlans().group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        boolean warned = false;
        while (running) {
            try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                ensureTopic();
                c.subscribe(List.of(PlanChange.TOPIC));
                while (running) {
                    ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    try {
                        for (ConsumerRecord<String, String> r : records) {
                            apply(r);
                        }
                        c.commitSync(nextOffsets(records));
                        warned = false;
                    } catch (RuntimeException e) {
                        if (!warned) {
                            LOG.warnf("cannot apply %d plan changes from billing (%s); retrying them", records.count(),
                                    e.getMessage());
                            warned = true;
                        }
                        for (TopicPartition tp : records.partitions()) {
                            c.seek(tp, records.records(tp).getFirst().offset());
                        }
                        Thread.sleep(1000);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("plan change consumer restarts after: %s", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                consumer = null;
            }
        }
    }

    private void apply(ConsumerRecord<String, String> r) {
        PlanChange change;
        try {
            change = reader.readValue(r.value(), PlanChange.class);
        } catch (Exception bad) {
            LOG.warnf("skipping unreadable billing.plans message at %s-%d offset %d: %s", r.topic(), r.partition(),
                    r.offset(), bad.getMessage());
            return;
        }
        if (change.tenantId() == null || change.plan() == null || change.version() <= 0) {
            LOG.warnf("skipping billing.plans message at %s-%d offset %d: it needs tenant_id, plan and a version"
                    + " of 1 or more", r.topic(), r.partition(), r.offset());
            return;
        }
        if (tenants.applyPlan(change)) {
            LOG.infof("tenant %s is on plan %s now (billing's change %d)", change.tenantId(), change.plan(),
                    change.version());
        }
    }

    /** Creates {@code billing.plans} when missing, so that subscribing does not wait for billing's first change. */
    private void ensureTopic() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
            if (!admin.listTopics().names().get(5, TimeUnit.SECONDS).contains(PlanChange.TOPIC)) {
                admin.createTopics(Set.of(new NewTopic(PlanChange.TOPIC, config.outbox().partitions(),
                        config.outbox().replicationFactor()))).all().get(5, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + PlanChange.TOPIC + ": " + e.getMessage(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, String> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            offsets.put(tp, new OffsetAndMetadata(records.records(tp).getLast().offset() + 1));
        }
        return offsets;
    }
}
