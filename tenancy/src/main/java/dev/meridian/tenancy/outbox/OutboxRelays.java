package dev.meridian.tenancy.outbox;

import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.tenancy.config.TenancyConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Tenancy's outbox, {@code outbox} to {@code tenancy.changes}, on the shared relay: published right after each commit
 * that wrote to it and every {@code meridian.tenancy.outbox.poll-interval}; purged after its retention.
 */
public class OutboxRelays {

    @Produces
    @Startup
    @Singleton
    OutboxRelay relay(TenancyConfig config, OutboxRelay.Environment env) {
        var outbox = config.outbox();
        return OutboxRelay.start(new OutboxRelay.Settings("outbox-relay", "outbox", Set.of(TenancyChange.TOPIC),
                outbox.partitions(), outbox.replicationFactor(), outbox.pollInterval(), 200, outbox.retention(),
                outbox.purgeInterval(), outbox.purgeBatch()), env);
    }

    void close(@Disposes OutboxRelay relay) {
        relay.close();
    }
}
