package dev.meridian.tenancy.tenants.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.kafka.RecordRetry;
import dev.meridian.common.kafka.UnprocessableRecord;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.tenants.service.TenantService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies billing's plan changes ({@code billing.plans}) to tenancy's copy of each tenant's plan, which sets the
 * gateways' rate limits ({@code mp.messaging.incoming.plan-changes.*}). Each event is applied in its own transaction
 * and its offset is committed after it (the connector's throttled commits), so a crash replays events, which their
 * version turns into no-ops. A failure is retried in place with a growing backoff; a message that is not a plan
 * change goes to {@code billing.plans.dlq}.
 */
@ApplicationScoped
public class PlanChangeConsumer {

    private static final Logger LOG = Logger.getLogger(PlanChangeConsumer.class);

    /** This service's retry of record handlers (one producer per service). */
    @Produces
    @Identifier(RecordRetry.GUARD)
    static final Guard RETRY = RecordRetry.guard();

    @Inject
    TenancyConfig config;
    @Inject
    TenantService tenants;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private ObjectMapper reader;

    /** Before the messaging extension subscribes (its start observes at priority LIBRARY_BEFORE). */
    void createTopic(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 1) StartupEvent event) {
        if (config.billingPlans().enabled()) {
            KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), PlanChange.TOPIC,
                    config.outbox().partitions(), config.outbox().replicationFactor());
        }
    }

    @Incoming("plan-changes")
    @Blocking
    @ApplyGuard(RecordRetry.GUARD)
    public void apply(ConsumerRecord<String, String> r) {
        PlanChange change;
        try {
            change = reader().readValue(r.value(), PlanChange.class);
        } catch (Exception bad) {
            throw new UnprocessableRecord("not a billing.plans message: " + bad.getMessage(), bad);
        }
        if (change.tenantId() == null || change.plan() == null || change.version() <= 0) {
            throw new UnprocessableRecord("a plan change needs tenant_id, plan and a version of 1 or more");
        }
        if (tenants.applyPlan(change)) {
            LOG.infof("tenant %s is on plan %s now (billing's change %d)", change.tenantId(), change.plan(),
                    change.version());
        }
    }

    private ObjectMapper reader() {
        if (reader == null) {
            // billing may add fields later; what tenancy needs is the plan and its version
            reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        }
        return reader;
    }
}
