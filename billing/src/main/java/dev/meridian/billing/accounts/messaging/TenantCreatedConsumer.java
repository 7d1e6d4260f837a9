package dev.meridian.billing.accounts.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.Account;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.kafka.RecordRetry;
import dev.meridian.common.kafka.UnprocessableRecord;
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
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Opens the billing account of each tenant tenancy creates ({@code tenant.created} on {@code tenancy.changes}) on the
 * plan and in the home region it was created with, so that billing and tenancy agree from the start
 * ({@code mp.messaging.incoming.tenant-created.*}). At least once: each event is applied in its own transaction and
 * its offset is committed after it (the connector's throttled commits), so a crash replays events, which
 * {@link Accounts#openOnSignUp} turns into no-ops. A failure is retried in place with a growing backoff; a message
 * that is not a tenancy event goes to {@code tenancy.changes.dlq}. {@code tenant.erased} pseudonymises the tenant's
 * billing details ({@link Accounts#forget}). Every other event on the topic is for the gateways.
 */
@ApplicationScoped
public class TenantCreatedConsumer {

    private static final Logger LOG = Logger.getLogger(TenantCreatedConsumer.class);

    /** This service's retry of record handlers (one producer per service). */
    @Produces
    @Identifier(RecordRetry.GUARD)
    static final Guard RETRY = RecordRetry.guard();

    @Inject
    BillingConfig config;
    @Inject
    Accounts accounts;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private ObjectMapper reader;

    /** Before the messaging extension subscribes (its start observes at priority LIBRARY_BEFORE). */
    void createTopic(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 1) StartupEvent event) {
        if (config.signUps().enabled()) {
            KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), TenancyChange.TOPIC, 3, (short) 1);
        }
    }

    @Incoming("tenant-created")
    @Blocking
    @ApplyGuard(RecordRetry.GUARD)
    public void apply(ConsumerRecord<String, String> r) {
        TenancyChange change;
        try {
            change = reader().readValue(r.value(), TenancyChange.class);
        } catch (Exception bad) {
            throw new UnprocessableRecord("not a tenancy.changes event: " + bad.getMessage(), bad);
        }
        if (TenancyChange.TENANT_ERASED.equals(change.type()) && change.tenantId() != null) {
            if (accounts.forget(change.tenantId())) {
                LOG.infof("tenant %s was erased: its billing details are pseudonymised, its webhook dropped",
                        change.tenantId());
            }
            return;
        }
        if (!TenancyChange.TENANT_CREATED.equals(change.type())) {
            return;
        }
        if (change.tenantId() == null || change.plan() == null || change.homeRegion() == null) {
            LOG.warnf("skipping tenant.created at %s-%d offset %d: it needs tenant_id, plan and home_region; the"
                    + " account opens with the tenant's first usage instead", r.topic(), r.partition(), r.offset());
            return;
        }
        switch (accounts.openOnSignUp(change.tenantId(), change.homeRegion(), change.plan())) {
            case OPENED -> LOG.infof("opened the account of tenant %s in %s on plan %s", change.tenantId(),
                    change.homeRegion(), change.plan());
            case ADOPTED -> LOG.infof("tenant %s is on its sign-up plan %s now", change.tenantId(), change.plan());
            case REFUSED -> LOG.warnf("tenant %s was created on plan '%s', which billing does not offer (%s); it"
                    + " keeps billing's plan, and tenancy is told", change.tenantId(), change.plan(),
                    String.join(", ", new TreeSet<>(Account.PLANS)));
            case UNKNOWN_REGION -> LOG.warnf("cannot open the account of tenant %s: billing has no region '%s'"
                    + " (meridian.billing.regions.*)", change.tenantId(), change.homeRegion());
            case KEPT, UNCHANGED -> {
            }
        }
    }

    private ObjectMapper reader() {
        if (reader == null) {
            // tenancy may add fields later; billing needs the type, tenant, plan and home region
            reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        }
        return reader;
    }
}
