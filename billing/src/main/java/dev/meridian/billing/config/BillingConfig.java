package dev.meridian.billing.config;

import dev.meridian.common.outbox.OutboxPurgeConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of the billing service ({@code meridian.billing.*}). */
@ConfigMapping(prefix = "meridian.billing")
public interface BillingConfig {

    /**
     * Base URL of tenancy, asked (with the console user's own token) which role the user holds in a tenant, and (with
     * billing's service token) for its partner directory; the REST clients of {@code TenancyCalls} take it as
     * {@code quarkus.rest-client.tenancy.url}.
     */
    String tenancyUrl();

    /**
     * The plan of an account billing opens on a tenant's first usage or lease before tenancy's {@code tenant.created}
     * arrived, and of a tenant created on a plan billing does not offer: {@code free} or {@code payg}.
     */
    @WithDefault("free")
    String defaultPlan();

    /** Regions by id: the currency the tenants homed there are billed in and how their invoices are taxed. */
    Map<String, Region> regions();

    /** Taxes beyond a region's own rate: the EU VAT regions' supplier ({@code tax/TaxPolicy}). */
    Tax tax();

    /** Trial credits of new self-service accounts ({@code trials/Trials}). */
    Trials trials();

    /** Billing documents (invoices, credit notes, statements as HTML and PDF). */
    Documents documents();

    /**
     * Price books: currency → meter wire name → price ({@code flat:<nanos>} or
     * {@code graduated:<up-to>:<nanos>,...,:<nanos>}), unit prices in nano-minor units.
     */
    Map<String, Map<String, String>> prices();

    /** Plans by id ({@code free}, {@code payg}, {@code subscription}, {@code enterprise}). */
    Map<String, Plan> plans();

    Ingest ingest();

    SignUps signUps();

    Leases leases();

    Alerts alerts();

    Webhooks webhooks();

    Reconciliation reconciliation();

    Invoices invoices();

    Outbox outbox();

    RateLimits rateLimits();

    Retention retention();

    /** How long raw usage is kept (docs/operations.md, "Data protection"). */
    interface Retention {
        /**
         * The id of each billed usage event (the dedup set) is deleted this long after the event happened; events
         * older than this are refused, since their id may be gone and billing them again would count them twice.
         * The hourly figures invoices are made of are kept. Longer than any replay: usage.events' retention and the
         * gateways' spool.
         */
        @WithDefault("400d")
        Duration rawUsage();

        /** How often the purge runs. */
        @WithDefault("1h")
        Duration interval();
    }

    /**
     * API keys' rate limits, held in one token bucket per key for every gateway of every region
     * ({@code POST /internal/v1/rate-leases}).
     */
    interface RateLimits {
        /**
         * How long a gateway may spend the tokens of one slice; what is unspent then is lost. All gateways together
         * admit a key at most {@code burst + rate × (W + slice-ttl)} calls in any window W (docs/architecture.md,
         * "Rate limits"), so keep it short.
         */
        @WithDefault("1s")
        Duration sliceTtl();

        /** How often the buckets of keys idle long enough to be full again are deleted (a full bucket is no row). */
        @WithDefault("1m")
        Duration purgeInterval();
    }

    /**
     * The purge of billing's outbox ({@code billing.alerts}, {@code billing.plans}): published messages are deleted
     * once older than {@code retention}; unpublished ones are never purged.
     */
    interface Outbox extends OutboxPurgeConfig {
    }

    interface Invoices {
        /** How long after a month ends its invoices are finalized: late usage inside the grace is still billed. */
        @WithDefault("6h")
        Duration finalizeGrace();
    }

    interface Region {
        /** ISO 4217 currency, e.g. EUR. */
        String currency();

        /**
         * Tax on invoices in basis points (1900 = 19 %). In an EU VAT region the rate of customers without billing
         * details or outside the EU; the others pay their country's rate or none (reverse charge).
         */
        @WithDefault("0")
        int taxRateBp();

        /**
         * Whether invoices of this region follow EU VAT by the customer's billing details: the customer country's
         * standard rate, or 0 % with the reverse-charge note for a business with a well-formed VAT id of another
         * member state than {@code meridian.billing.tax.supplier-country}.
         */
        @WithDefault("false")
        boolean euVat();
    }

    interface Tax {
        /**
         * The member state the EU VAT regions invoice from (ISO 3166-1 alpha-2): its own businesses pay its VAT, those
         * of the other member states reverse charge.
         */
        @WithDefault("DE")
        String supplierCountry();
    }

    interface Trials {
        /**
         * The trial credit per currency, in minor units (e.g. {@code EUR=1000} is 10.00 EUR), granted once to an
         * account that opens on a trial plan; a currency without an amount grants none.
         */
        Map<String, Long> amountMinor();

        /** The plans whose new accounts get a trial (self-service plans). */
        @WithDefault("free,payg")
        List<String> plans();

        /**
         * How long a trial lasts; it ends at the first full hour after this (usage is billed by the hour), and
         * what is left of it lapses then.
         */
        @WithDefault("30d")
        Duration duration();

        /** How long before a trial ends the {@code trial.ending} alert goes out (once per trial). */
        @WithDefault("3d")
        Duration endingNotice();

        /** How often the trials ending within the notice are looked for. */
        @WithDefault("15m")
        String checkInterval();
    }

    interface Documents {
        /**
         * The TrueType font (a classpath resource or a file path) documents' PDFs embed (as a subset): it must cover
         * Latin and Simplified Chinese. The default is Noto Sans SC, which billing's build puts on the classpath.
         */
        @WithDefault("fonts/NotoSansSC_400Regular.ttf")
        String pdfFont();
    }

    interface Plan {
        /** Quantities included each month, by meter; above them the free tier blocks and other plans pay. */
        Map<String, Long> included();

        /** Monthly fee in minor units, by currency (subscriptions). */
        Map<String, Long> fee();
    }

    interface Ingest {
        /** Kafka consumer group of the usage consumer. */
        @WithDefault("meridian-billing")
        String group();

        /**
         * Most events one poll (and so one database transaction) takes; the fetch sizes follow. Fewer round trips,
         * plans and commits per event: in docs/benchmarks.md 20,000 replays a backlog of already billed events about
         * a third faster than 5,000 and ingests new ones as fast or slightly faster.
         */
        @WithDefault("20000")
        int maxPollRecords();

        /**
         * Consumer threads in the group, each with its own batches and database transactions. The topic's partitions
         * (keyed by tenant) are split between them, so they never contend for rows; more than the topic's partitions
         * leaves the rest idle. docs/benchmarks.md: 2 threads on 2 cores ingest about twice what 1 does.
         */
        @WithDefault("2")
        @Min(1)
        int consumers();

        /**
         * Partitions {@code usage.events} is created with when billing finds it missing (a topic that exists keeps its
         * own): the most consumer threads, across billing replicas, that share the work. 6 splits evenly between 1, 2,
         * 3 or 6 threads.
         */
        @WithDefault("6")
        @Min(1)
        int partitions();

        /** Replication factor {@code usage.events} is created with (1 for the embedded single broker). */
        @WithDefault("1")
        @Min(1)
        short replicationFactor();

        /** Whether the consumer runs (off for tools that use the service only as a library). */
        @WithDefault("true")
        boolean enabled();
    }

    /** New tenants ({@code tenant.created} on {@code tenancy.changes}), whose accounts billing opens on their plan. */
    interface SignUps {
        /** Kafka consumer group that reads {@code tenancy.changes} for billing (the channel {@code tenant-created}). */
        @WithDefault("meridian-billing-sign-ups")
        String group();

        /** Whether billing opens accounts from {@code tenant.created} (off for tools using billing as a library). */
        @WithDefault("true")
        boolean enabled();
    }

    interface Leases {
        /** Share of what remains granted per lease, in basis points (1000 = 10 %): smaller as the remaining shrinks. */
        @WithDefault("1000")
        int sliceFractionBp();

        /** Smallest money slice, in minor units (never more than what remains). */
        @WithDefault("1")
        long minSliceMinor();

        /** Largest money slice, in minor units. */
        @WithDefault("1000")
        long maxSliceMinor();

        /** Smallest and largest quantity slice per meter (free-tier and plan quotas). */
        @WithDefault("1")
        long minSliceQuantity();

        @WithDefault("10000")
        long maxSliceQuantity();

        /** How long a gateway may spend from a lease. */
        @WithDefault("30s")
        Duration ttl();

        /**
         * How long a lease's spend still counts after it was settled (or the whole slice after it expired unsettled):
         * the time its usage events may take to reach billing. Must exceed the usage pipeline's lag.
         */
        @WithDefault("2m")
        Duration usageLagAllowance();
    }

    interface Alerts {
        /** Soft-budget thresholds, in percent of the budget; each is announced once per period. */
        @WithDefault("50,80,100")
        List<Integer> thresholdsPct();

        /** How often budgets are checked and webhooks retried. */
        @WithDefault("5s")
        Duration interval();

        /** Attempts per webhook before it is given up (with back-off doubling from 1 s). */
        @WithDefault("8")
        int maxAttempts();
    }

    /**
     * Budget-alert webhooks: where they may go ({@code WebhookTargets}) and how they are sent ({@code WebhookCalls}: a
     * bounded queue with its own workers, so the billing jobs never wait on a receiver). The queue's size and workers
     * are SmallRye Fault Tolerance settings of {@code WebhookCalls#deliver}, e.g.
     * {@code quarkus.fault-tolerance."dev.meridian.billing.budgets.service.WebhookCalls/deliver".bulkhead.value}.
     */
    interface Webhooks {
        /**
         * Admits http URLs and loopback targets ({@code http://localhost:9000/hooks}) for the dev stack and tests. Off
         * by default and never on in production: there a webhook is https to a public address, and private,
         * link-local (cloud metadata), CGNAT, multicast and unspecified targets are refused whatever this says.
         */
        @WithDefault("false")
        boolean allowHttpAndLoopback();

        /** Most time to open the connection to a receiver. */
        @WithDefault("3s")
        Duration connectTimeout();

        /** Most time a receiver may stay silent (no bytes) once connected. */
        @WithDefault("10s")
        Duration readTimeout();

        /** Most time one call may take in all, however the receiver drips its answer. */
        @WithDefault("15s")
        Duration callTimeout();
    }

    interface Reconciliation {
        /** Gateway base URLs by gateway name, asked for their served-request counts. */
        Map<String, String> gateways();
    }
}
