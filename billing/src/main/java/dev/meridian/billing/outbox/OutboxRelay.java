package dev.meridian.billing.outbox;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import dev.meridian.common.events.PlanChange;
import org.jboss.logging.Logger;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import dev.meridian.billing.budgets.service.BudgetAlerts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
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

/**
 * Publishes outbox rows to Kafka in the order they were written, claiming them with {@code FOR UPDATE SKIP LOCKED}
 * so replicas never publish one row twice at once; a row is marked published only after the broker acknowledged it
 * (acks=all, idempotent producer). Delivery is at least once: alert consumers dedupe by the alert's {@code id}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    /** The topics billing publishes to (brokers may not auto-create topics). */
    private static final Set<String> TOPICS = Set.of(BudgetAlerts.TOPIC, PlanChange.TOPIC);

    @Inject
    EntityManager em;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, String> producer;
    private volatile boolean topicReady;

    void start(@Observes StartupEvent event) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    void stop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Right after a commit that wrote to the outbox, publishes off the committing thread; the billing jobs' round
     * (every few seconds) is the safety net when this fails.
     */
    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Outbox.Written written) {
        Thread.ofVirtual().name("outbox-publish").start(() -> {
            try {
                while (publishBatch() > 0) {
                    // drain
                }
            } catch (RuntimeException e) {
                LOG.debugf("outbox publish after commit failed (the next jobs round retries): %s", e.getMessage());
            }
        });
    }

    /** Publishes up to one batch; returns how many messages it published. */
    public int publishBatch() {
        ensureTopic();
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> due = em.createNativeQuery("select id, topic, message_key, payload from outbox"
                    + " where published_at is null order by seq limit " + BATCH + " for update skip locked")
                    .getResultList();
            var sends = due.stream()
                    .map(m -> producer.send(new ProducerRecord<>((String) m[1], (String) m[2], (String) m[3])))
                    .toList();
            for (var send : sends) {
                try {
                    send.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
                }
            }
            for (Object[] m : due) {
                em.createNativeQuery("update outbox set published_at = now() where id = :id")
                        .setParameter("id", m[0]).executeUpdate();
            }
            return due.size();
        });
    }

    /** Creates billing's topics the broker does not have yet. */
    private void ensureTopic() {
        if (topicReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
            var existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            var missing = TOPICS.stream().filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 3, (short) 1))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(5, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics " + TOPICS + ": " + e.getMessage(), e);
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
