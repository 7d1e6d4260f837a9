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

    /**
     * Whether this gateway's region is sovereign (cn-north): it serves only tenants homed in it, never forwards a
     * call out of the region and accepts no call forwarded in from another region's gateway.
     */
    @WithDefault("false")
    boolean sovereign();

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

    /**
     * This gateway instance's id, unique among all gateways (a replica name such as {@code eu-central-1}): names its
     * usage spool, its quota leases and the source of its usage events. Defaults to the region and the host name.
     */
    Optional<String> gatewayId();

    /**
     * Base URL of the billing service: quota leases ({@code /internal/v1/leases}) and the {@code /api/v1/billing/*}
     * proxy. Without it the gateway enforces no budgets (calls are still metered) and {@code /api/v1/billing/*} is 404.
     */
    Optional<String> billingUrl();

    Metering metering();

    Budgets budgets();

    RateLimits rateLimits();

    /** How often the times keys were last used are reported to tenancy. */
    @WithDefault("5s")
    Duration lastUsedFlushInterval();

    /**
     * Largest request body the gateway buffers, in bytes. Model uploads ({@code POST /v1/models},
     * {@code POST /v1/uploads/{id}/parts}) are streamed to the models service instead, which enforces its own cap.
     */
    @WithDefault("10485760")
    long maxBodyBytes();

    /** Usage events: the local spool they are written to first and the Kafka producer that drains it. */
    interface Metering {
        /**
         * Folder of this gateway's usage spool and served-request counts; it must survive restarts and belong to this
         * instance alone. Defaults to {@code spool/<gateway-id>} under the working directory.
         */
        Optional<String> spoolDir();

        /** Longest time an event written to the spool waits for fsync; bounds what a power cut can lose. */
        @WithDefault("100ms")
        Duration fsyncInterval();

        /** The spool is also fsynced as soon as this many events wait for it. */
        @WithDefault("512")
        int fsyncBatch();

        /** A spool segment file is closed (and deleted once Kafka has acknowledged all of it) past this size. */
        @WithDefault("4194304")
        long segmentBytes();

        /** How long the producer waits for the broker to answer one request before it retries. */
        @WithDefault("10s")
        Duration kafkaRequestTimeout();

        /**
         * How long the producer keeps retrying a send before it gives up; the gateway then starts a fresh producer
         * and sends again from the oldest event not acknowledged (the events stay in the spool meanwhile).
         */
        @WithDefault("60s")
        Duration kafkaDeliveryTimeout();

        /** How long per-tenant, per-hour served-request counts are kept for reconciliation. */
        @WithDefault("40d")
        Duration servedRequestsRetention();
    }

    /** Hard budgets through billing's quota leases; active only with {@code billing-url}. */
    interface Budgets {
        /** How long a lease request or settlement may take before billing counts as unreachable. */
        @WithDefault("3s")
        Duration billingTimeout();

        /** After a failed lease request, calls needing a new lease get 503 this long before billing is asked again. */
        @WithDefault("1s")
        Duration retryAfterFailure();
    }

    /**
     * API keys' rate limits. With {@code billing-url} each key has one bucket at billing for all gateways, spent here in
     * slices; without it, or while billing does not answer, each gateway keeps its own bucket per key.
     */
    interface RateLimits {
        /**
         * How much of a key's rate one slice holds: at 100 ms, a key of 50 requests/s gets slices of 5 (at least 1,
         * at most its burst), so a busy key costs a billing call per ~100 ms per gateway and a gateway holds no more
         * than a tenth of a second of the key's rate that another gateway might have needed.
         */
        @WithDefault("100ms")
        Duration slice();

        /**
         * How long a slice request may take before billing counts as unreachable: the first call of a key at this
         * gateway waits for it; after a failure the gateway limits the key on its own bucket for
         * {@code budgets.retry-after-failure} before asking billing again (in the background).
         */
        @WithDefault("1s")
        Duration billingTimeout();

        /**
         * Prompt and completion tokens per minute a key may spend on generative calls ({@code /v1/chat/completions},
         * {@code /v1/completions}) when tenancy's key record names no limit for its plan (plans set it with
         * {@code meridian.tenancy.plans.<plan>.tokens-per-minute}).
         */
        @WithDefault("40000")
        long defaultTokensPerMinute();
    }

    /** The in-memory cache of key records, in front of tenancy's lookup. */
    interface KeyCache {
        /** How long a found key is trusted without asking tenancy; revocations arrive sooner through Kafka. */
        @WithDefault("60s")
        Duration ttl();

        /**
         * How long an unknown prefix is remembered, so a client repeating a bad key does not reach tenancy. A key
         * created meanwhile is usable at once: its {@code api_key.created} event drops the prefix.
         */
        @WithDefault("5s")
        Duration negativeTtl();

        /** Most keys held; the least recently used go first beyond it. */
        @WithDefault("100000")
        long maxEntries();

        /** Most unknown prefixes held, apart from the keys, so made-up prefixes never push real keys out. */
        @WithDefault("10000")
        long maxUnknownEntries();

        Lookups lookups();
    }

    /**
     * Bounds on the tenancy lookups callers can cause with prefixes the gateway has not cached: a budget per client
     * address (IPv6 per /64) that only lookups answered "no such key" spend; once it is spent the client gets 429
     * and no lookup. Behind a load balancer, let Quarkus take the client address from {@code X-Forwarded-For}
     * ({@code quarkus.http.proxy.*}), else all clients share the balancer's budget.
     */
    interface Lookups {
        /** Lookups of unknown prefixes a client address may cause per second, sustained. */
        @WithDefault("5")
        int perClientPerSecond();

        /** Lookups of unknown prefixes a client address may cause at once above the sustained rate. */
        @WithDefault("20")
        int perClientBurst();

        /** Lookups running at once for all clients together; beyond it a lookup is refused with 503. */
        @WithDefault("64")
        int maxInFlight();

        /** Client addresses whose budgets are tracked; the least recently seen are forgotten beyond it. */
        @WithDefault("100000")
        long maxClients();
    }
}
