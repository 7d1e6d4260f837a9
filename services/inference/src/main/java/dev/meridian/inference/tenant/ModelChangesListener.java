package dev.meridian.inference.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.ModelChange;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import dev.meridian.inference.generation.GenerationModels;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code <region>.models.changes} and drops cached deployments (and, for deletions, sessions) of the model
 * named. Every inference replica must see every event, so each instance reads in a consumer group of its own
 * ({@code mp.messaging.incoming.model-changes.*}), from the end, committing nothing; each (re)assignment of partitions
 * drops all cached deployments, since events may have passed unseen. Listens only where tenant models are served
 * ({@code mp.messaging.incoming.model-changes.enabled}, set with {@code meridian.inference.tenant-models.registry-url}).
 */
@ApplicationScoped
public class ModelChangesListener {

    static final String CHANNEL = "model-changes";
    private static final Logger LOG = Logger.getLogger(ModelChangesListener.class);

    @Inject
    TenantModels models;
    @Inject
    GenerationModels generation;
    @Inject
    ObjectMapper json;

    @Incoming(CHANNEL)
    public void apply(String value) {
        try {
            ModelChange change = json.readValue(value, ModelChange.class);
            if (change.tenantId() != null && change.model() != null) {
                boolean removed = !ModelChange.VERSION_DEPLOYED.equals(change.type());
                models.changed(change.tenantId(), change.model(), change.version(), removed);
                generation.changed(change.tenantId(), change.model(), change.version(), removed);
            }
        } catch (IOException e) {
            LOG.warnf("ignoring unreadable model change: %s", e.getMessage());
        }
    }

    /** Drops every cached deployment when the instance's group is given partitions (it starts again at the end). */
    @ApplicationScoped
    @Identifier(CHANNEL)
    static class Rebalance implements KafkaConsumerRebalanceListener {

        @Inject
        Deployments deployments;

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            partitions.forEach(consumer::position); // resolves the end offsets now
            deployments.invalidateAll();
            LOG.infof("listening to %d partitions of model changes", partitions.size());
        }
    }
}
