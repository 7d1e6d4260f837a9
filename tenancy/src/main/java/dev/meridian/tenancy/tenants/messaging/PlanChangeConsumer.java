package dev.meridian.tenancy.tenants.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private BatchConsumer<String, String> consumer;
    private ObjectMapper reader;

    void start(@Observes StartupEvent event) {
        if (!config.billingPlans().enabled()) {
            return;
        }
        // billing may add fields later; what tenancy needs is the plan and its version
        reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), PlanChange.TOPIC, config.outbox().partitions(),
                config.outbox().replicationFactor());
        consumer = BatchConsumer.eachRecord("plan-change-consumer", KafkaConnection.of(kafkaConfig), config.billingPlans().group(),
                PlanChange.TOPIC, this::apply);
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.close();
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
}
