package dev.meridian.tenancy.config;

import dev.meridian.common.outbox.OutboxPurgeConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;

/** Settings of the tenancy service ({@code meridian.tenancy.*}). */
@ConfigMapping(prefix = "meridian.tenancy")
public interface TenancyConfig {

    /** The market regions tenants can be homed in, by id ({@code eu-central}, {@code us-east}, ...). */
    Map<String, Region> regions();

    /** Plans by id ({@code free}, {@code payg}, {@code subscription}, {@code enterprise}) and their per-key limits. */
    Map<String, Plan> plans();

    /** The plan of a tenant created without one. */
    @WithName("default-plan")
    @WithDefault("free")
    String defaultPlan();

    Outbox outbox();

    BillingPlans billingPlans();

    Retention retention();

    Closure closure();

    /** Closing a tenant (docs/operations.md, "Data protection"). */
    interface Closure {

        /** How long a closed tenant can be reopened by an owner before its data is erased in every region. */
        @WithDefault("30d")
        Duration grace();

        /** How often the erasure job looks for tenants whose grace period has ended. */
        @WithDefault("1m")
        Duration interval();
    }

    /** How long the control plane keeps tenants' audit events (docs/operations.md, "Data protection"). */
    interface Retention {

        /** Audit events are deleted this long after they happened. */
        @WithDefault("730d")
        Duration auditEvents();

        /** How often the purge runs. */
        @WithDefault("1h")
        Duration interval();
    }

    interface Region {
        /** Display name, e.g. "EU (Frankfurt)". */
        String name();

        /** ISO 4217 currency the region bills in. */
        String currency();

        /** Base URL of the region's gateway, where its tenants' calls are served. */
        String gatewayUrl();

        /** The data-residency regime customer content stays under (GDPR, PIPL, none). */
        @WithDefault("none")
        String residency();

        /** Whether tenants homed here may have their calls carried through other regions' gateways by default. */
        @WithDefault("true")
        boolean transitAllowedByDefault();

        /**
         * Whether the region is sovereign (cn-north): its tenants are served only by its own gateway, never through
         * another region's, and its gateway forwards nothing out. Gateways learn it from the key record
         * ({@code home_sovereign}); a sovereign region's gateway also runs with {@code meridian.gateway.sovereign}.
         */
        @WithDefault("false")
        boolean sovereign();
    }

    interface Plan {
        /** Sustained requests per second each API key of a tenant on this plan may make (per gateway). */
        int requestsPerSecond();

        /** Requests a key may make at once above the sustained rate. */
        int burst();

        /**
         * Prompt and completion tokens per minute each API key on this plan may spend on generative calls (chat and
         * text completions), enforced by the gateway that serves the tenant (per gateway replica).
         */
        @WithDefault("40000")
        long tokensPerMinute();

        /**
         * Whether customers may create a tenant on this plan themselves; a plan that is not (enterprise: custom
         * prices under a contract) is set by an operator in billing, or given at creation by an operator.
         */
        @WithDefault("true")
        boolean selfService();
    }

    /** The outbox relay, and the purge of published messages ({@link OutboxPurgeConfig}). */
    interface Outbox extends OutboxPurgeConfig {
        /** How often the relay looks for messages a commit-time publish missed (Kafka down, a crash). */
        @WithDefault("500ms")
        Duration pollInterval();

        /** Partitions of topics the service creates when they are missing. */
        @WithDefault("3")
        int partitions();

        /** Replication factor of topics the service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }

    /** Plan changes from billing, which owns plans ({@code billing.plans}); tenancy's copy sets the rate limits. */
    interface BillingPlans {
        /** Whether tenancy applies billing's plan changes (off only for tests of tenancy alone). */
        @WithDefault("true")
        boolean enabled();

        /** Kafka consumer group that reads {@code billing.plans} (the channel {@code plan-changes}). */
        @WithDefault("meridian-tenancy")
        String group();
    }
}
