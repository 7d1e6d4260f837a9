package dev.meridian.models.registry.messaging;

import dev.meridian.common.events.ModelChange;
import dev.meridian.models.RegistryOutboxMessage;
import dev.meridian.models.config.ModelsConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes {@code registry_outbox} rows to {@code <region>.models.changes}: right after each commit that wrote one,
 * and every second as the safety net. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} (replicas never publish
 * the same row at once) and marked published only once the broker acknowledged them. At least once: consumers
 * dedupe or, like inference, only drop caches, which is idempotent.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    private static final long POLL_MILLIS = 1000;

    @Inject
    EntityManager em;
    @Inject
    ModelsConfig config;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile boolean topicReady;
    private volatile boolean brokerWarned;
    private KafkaProducer<String, String> producer;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        running = true;
        thread = Thread.ofPlatform().name("registry-outbox-relay").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake.release();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) ModelChanges.Written written) {
        wake.release();
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!running) {
                    return;
                }
                while (publishBatch() == BATCH) {
                    // keep going while there is a backlog
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!brokerWarned) {
                    LOG.warnf("model changes cannot be published yet (%s); they wait in registry_outbox", e.getMessage());
                    brokerWarned = true;
                }
            }
        }
    }

    int publishBatch() {
        ensureTopic();
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<RegistryOutboxMessage> due = em.createNativeQuery("select * from registry_outbox"
                    + " where published_at is null order by seq limit " + BATCH + " for update skip locked",
                    RegistryOutboxMessage.class).getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            var sends = due.stream().map(m -> producer.send(new ProducerRecord<>(m.topic, m.messageKey, m.payload)))
                    .toList();
            for (var send : sends) {
                try {
                    send.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
                }
            }
            Instant now = Instant.now();
            due.forEach(m -> m.publishedAt = now);
            if (brokerWarned) {
                LOG.info("model changes are published again");
                brokerWarned = false;
            }
            return due.size();
        });
    }

    private void ensureTopic() {
        if (topicReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
            var topic = new NewTopic(ModelChange.topic(config.region()), 3, (short) 1);
            try {
                admin.createTopics(Set.of(topic)).all().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getMessage(), e);
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            topicReady = true;
        }
    }
}
