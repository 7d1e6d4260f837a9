package dev.meridian.billing.accounts.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.Account;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Opens the billing account of each tenant tenancy creates ({@code tenant.created} on {@code tenancy.changes}) on the
 * plan and in the home region it was created with, so that billing and tenancy agree from the start. At least once:
 * each event is applied in its own transaction and the offsets are committed after the batch, so a crash replays
 * events, which {@link Accounts#openOnSignUp} turns into no-ops. Every other event on the topic is for the gateways.
 */
@ApplicationScoped
public class TenantCreatedConsumer {

    private static final Logger LOG = Logger.getLogger(TenantCreatedConsumer.class);

    @Inject
    BillingConfig config;
    @Inject
    Accounts accounts;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private BatchConsumer<String, String> consumer;
    private ObjectMapper reader;

    void start(@Observes StartupEvent event) {
        if (!config.signUps().enabled()) {
            return;
        }
        // tenancy may add fields later; billing needs the type, tenant, plan and home region
        reader = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        KafkaTopics.ensureForConsumer(KafkaConnection.of(kafkaConfig), TenancyChange.TOPIC, 3, (short) 1);
        consumer = BatchConsumer.eachRecord("tenant-created-consumer", KafkaConnection.of(kafkaConfig), config.signUps().group(),
                TenancyChange.TOPIC, this::apply);
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, String> r) {
        TenancyChange change;
        try {
            change = reader.readValue(r.value(), TenancyChange.class);
        } catch (Exception bad) {
            LOG.warnf("skipping unreadable tenancy.changes message at %s-%d offset %d: %s", r.topic(), r.partition(),
                    r.offset(), bad.getMessage());
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
}
