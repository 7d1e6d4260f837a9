package dev.meridian.gateway.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.HeldPartitions;
import dev.meridian.gateway.apikeys.KeyDirectory;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Drops cached keys as soon as tenancy announces a change: {@code api_key.*} drops that key's prefix,
 * {@code tenant.*} and {@code member.*} every key and member caller of the tenant. Every gateway must see every
 * event, so each instance reads {@code tenancy.changes} in a consumer group of its own
 * ({@code mp.messaging.incoming.tenancy-changes.*}), from the end, committing nothing. If Kafka is away the gateway
 * keeps serving (the cache TTL bounds staleness) and the connector keeps reconnecting; each time partitions are
 * (re)assigned the cache is emptied, since events may have passed while it was not listening.
 */
@ApplicationScoped
public class TenancyChangesListener {

    static final String CHANNEL = "tenancy-changes";
    private static final Logger LOG = Logger.getLogger(TenancyChangesListener.class);

    @Inject
    KeyDirectory directory;
    @Inject
    ObjectMapper json;

    @Inject
    @Identifier(CHANNEL)
    Rebalance rebalance;

    /** True while the listener holds partitions of the topic; false while Kafka is away (keys then expire by TTL). */
    public boolean listening() {
        return !rebalance.held().isEmpty();
    }

    /** Applies one event; unreadable events are logged and skipped, never fatal. */
    @Incoming(CHANNEL)
    public void apply(String value) {
        TenancyChange change;
        try {
            change = json.readValue(value, TenancyChange.class);
        } catch (IOException e) {
            LOG.warnf("ignoring unreadable %s event: %s", TenancyChange.TOPIC, e.getMessage());
            return;
        }
        if (change.affectsWholeTenant()) {
            if (change.tenantId() != null) {
                directory.invalidateTenant(change.tenantId());
            }
        } else if (change.keyPrefix() != null) {
            directory.invalidate(change.keyPrefix());
        } else if (change.tenantId() != null) {
            // A member event (signed-in callers are cached per tenant and user), or a key event without its prefix:
            // we cannot tell which entry, so drop the tenant's.
            directory.invalidateTenant(change.tenantId());
        }
    }

    /**
     * Empties the cache whenever the instance's group is given partitions: it commits no offsets, so after a
     * rebalance it starts again at the end and what was published meanwhile is never seen.
     */
    @Singleton
    @Identifier(CHANNEL)
    static class Rebalance extends HeldPartitions {

        @Inject
        KeyDirectory directory;

        @Override
        protected void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            partitions.forEach(consumer::position); // resolves the end offsets now, before we say we listen
            directory.invalidateAll();
            LOG.infof("listening to %s (%d partitions) for key and tenant changes", TenancyChange.TOPIC,
                    partitions.size());
        }
    }
}
