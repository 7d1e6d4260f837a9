package dev.meridian.models.finetune.messaging;

import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.models.finetune.FineTuneOutboxMessage;
import dev.meridian.models.finetune.config.FineTuneConfig;
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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
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
 * Publishes the fine-tuning outbox to Kafka: right after each commit that wrote to it, and on a short poll as the
 * safety net for a publish that failed. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} (replicas never publish
 * the same row at once) and marked published only after the broker acknowledged them (acks=all, idempotent
 * producer). At least once: workers and the models service dedupe by id.
 */
@ApplicationScoped
public class FineTuneOutboxRelay {

    private static final Logger LOG = Logger.getLogger(FineTuneOutboxRelay.class);
    private static final int BATCH = 100;

    @Inject
    EntityManager em;
    @Inject
    FineTuneConfig config;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "meridian.models.region")
    String region;

    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile boolean topicsReady;
    private volatile boolean warned;
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
        thread = Thread.ofPlatform().name("finetune-outbox-relay").daemon().start(this::run);
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

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) FineTuneOutbox.Written written) {
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
                if (!warned) {
                    LOG.warnf("fine-tuning outbox cannot publish yet (%s); jobs wait in the outbox and are retried",
                            e.getMessage());
                    warned = true;
                }
            }
        }
    }

    int publishBatch() {
        ensureTopics();
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<FineTuneOutboxMessage> due = em.createNativeQuery("select id, topic, message_key, payload,"
                    + " created_at, published_at from finetune_outbox where published_at is null order by seq limit "
                    + BATCH + " for update skip locked", FineTuneOutboxMessage.class).getResultList();
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
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            due.forEach(m -> m.publishedAt = now);
            if (warned) {
                LOG.info("fine-tuning outbox publishes again");
                warned = false;
            }
            return due.size();
        });
    }

    private void ensureTopics() {
        if (topicsReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap,
                "request.timeout.ms", 3000, "default.api.timeout.ms", 5000))) {
            Set<NewTopic> topics = Set.of(FineTuneTopics.jobs(region), FineTuneTopics.events(region),
                    FineTuneTopics.control(region)).stream()
                    .map(t -> new NewTopic(t, config.outbox().partitions(), config.outbox().replicationFactor()))
                    .collect(Collectors.toSet());
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(Set.of(topic)).all().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": "
                                + e.getMessage(), e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            topicsReady = true;
        }
    }
}
