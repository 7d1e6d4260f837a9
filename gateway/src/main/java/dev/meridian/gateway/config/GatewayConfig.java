package dev.meridian.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of a regional gateway ({@code meridian.gateway.*}). */
@ConfigMapping(prefix = "meridian.gateway")
public interface GatewayConfig {

    /** The region this gateway serves, e.g. {@code eu-central}; tenants homed elsewhere are forwarded. Required. */
    String region();

    /** Base URL of the tenancy service (key lookups, last-used reports, the /api proxy). */
    @WithDefault("http://localhost:8081")
    String tenancyUrl();

    /** How long a key lookup or last-used report may take before tenancy counts as unreachable. */
    @WithDefault("3s")
    Duration tenancyTimeout();

    /**
     * Base URL of this region's inference service; {@code /v1/embeddings}, {@code /v1/models} and {@code /v2/*} go
     * there. Without it the gateway answers {@code /v1/models} from its static base-model catalog.
     */
    Optional<String> inferenceUrl();

    /**
     * Base URL of this region's models service (the model registry, files and fine-tuning); {@code /v1/models*}
     * (listing and management), {@code /v1/uploads*}, {@code /v1/files*} and {@code /v1/fine_tuning*} go there,
     * while {@code /v1/embeddings}, {@code /v1/classifications} and {@code /v2/*} stay on inference. Without it
     * {@code /v1/models} goes to inference (or the static catalog) as before.
     */
    Optional<String> modelsUrl();

    /** How long a call passed on (to a home gateway, a regional service, tenancy) may take to answer. */
    @WithDefault("120s")
    Duration forwardTimeout();

    KeyCache keyCache();

    /** How often the times keys were last used are reported to tenancy. */
    @WithDefault("5s")
    Duration lastUsedFlushInterval();

    /**
     * Largest request body the gateway buffers, in bytes. Model uploads ({@code POST /v1/models},
     * {@code POST /v1/uploads/{id}/parts}) are streamed to the models service instead, which enforces its own cap.
     */
    @WithDefault("10485760")
    long maxBodyBytes();

    /** The in-memory cache of key records, in front of tenancy's lookup. */
    interface KeyCache {
        /** How long a found key is trusted without asking tenancy; revocations arrive sooner through Kafka. */
        @WithDefault("60s")
        Duration ttl();

        /** How long an unknown prefix is remembered, so a flood of bad keys does not reach tenancy. */
        @WithDefault("5s")
        Duration negativeTtl();

        /** Most keys held; the least recently used go first beyond it. */
        @WithDefault("100000")
        long maxEntries();
    }
}
