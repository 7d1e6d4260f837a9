package dev.meridian.common.outbox;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The purge of a service's outboxes ({@link OutboxPurge}) as a configuration group, the same keys under each
 * service's {@code <prefix>.outbox}: published messages are deleted once older than {@code retention}; unpublished
 * ones are never purged.
 */
public interface OutboxPurgeConfig {

    /** How long a published message stays in an outbox (for inspection) before the purge deletes it. */
    @WithDefault("7d")
    Duration retention();

    /** How often published messages older than {@code retention} are purged. */
    @WithDefault("1h")
    Duration purgeInterval();

    /** Most rows one purge statement deletes; a purge runs statements until none is full. */
    @WithDefault("1000")
    int purgeBatch();
}
