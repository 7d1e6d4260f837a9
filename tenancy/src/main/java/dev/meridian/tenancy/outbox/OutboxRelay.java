package dev.meridian.tenancy.outbox;

import dev.meridian.tenancy.OutboxMessage;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.config.TenancyConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * Publishes outbox messages to Kafka: right after each commit that wrote one, and on a short poll as the safety net
 * for a commit-time publish that failed (broker down, process crash). Rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so several replicas never publish the same row concurrently; a row is marked
 * published only after the broker acknowledged it (acks=all, idempotent producer). Delivery is at least once:
 * consumers dedupe by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;

    @Inject
    EntityManager em;

    @Inject
    TenancyConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile boolean topicsReady;
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
        thread = Thread.ofPlatform().name("outbox-relay").daemon().start(this::run);
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
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Outbox.Written written) {
        wake.release();
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(config.outbox().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
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
                    LOG.warnf("outbox relay cannot publish yet (%s); changes wait in the outbox and are retried",
                            e.getMessage());
                    brokerWarned = true;
                }
            }
        }
    }

    /** Publishes up to one batch; returns how many messages it published. */
    int publishBatch() {
        ensureTopics();
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<OutboxMessage> due = em.createNativeQuery("select * from outbox where published_at is null"
                            + " order by seq limit " + BATCH + " for update skip locked", OutboxMessage.class)
                    .getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            var sends = due.stream()
                    .map(m -> producer.send(new ProducerRecord<>(m.topic, m.messageKey, m.payload)))
                    .toList();
            for (var send : sends) {
                try {
                    send.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
                }
            }
            Instant now = StoredTime.now();
            due.forEach(m -> m.publishedAt = now);
            if (brokerWarned) {
                LOG.info("outbox relay publishes again");
                brokerWarned = false;
            }
            return due.size();
        });
    }

    private void ensureTopics() {
        if (topicsReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
            var topic = new NewTopic(dev.meridian.common.events.TenancyChange.TOPIC, config.outbox().partitions(),
                    config.outbox().replicationFactor());
            try {
                admin.createTopics(Set.of(topic)).all().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getMessage(), e);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            topicsReady = true;
        }
    }
}
