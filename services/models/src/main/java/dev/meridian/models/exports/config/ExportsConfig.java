package dev.meridian.models.exports.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Tenant data exports ({@code meridian.models.exports.*}): archives built and kept in the tenant's home region. */
@ConfigMapping(prefix = "meridian.models.exports")
public interface ExportsConfig {

    /** How long a finished archive may be downloaded; then the sweep deletes it and the export reads as expired. */
    @WithDefault("7d")
    Duration expiry();

    /**
     * The region's secret for signing download links (HMAC-SHA256; at least 32 characters). Every replica of the
     * region must have the same one. Unset: a random secret per process, so links die with the process (fine for a
     * single dev instance, never for production).
     */
    Optional<String> linkSecret();

    /** How often a replica looks for exports to run (queued, or running under a lease that ran out). */
    @WithDefault("2s")
    Duration pollInterval();

    /**
     * How long a replica holds a running export without reporting progress; past it, another replica (or this one
     * after a restart) takes the export over and builds the archive again from the start.
     */
    @WithDefault("2m")
    Duration lease();

    /** Tries of one export (a try ends with a crash or a failure); after the last one the export fails. */
    @WithDefault("3")
    int maxAttempts();

    /** How often expired archives are deleted from the blob store. */
    @WithDefault("1m")
    Duration sweepInterval();

    /**
     * Tenancy's base URL: members, API key metadata and the audit trail of a tenant, and where an export's audit events
     * are recorded. Without it (or {@link #billingUrl()}) this region takes no export requests (503).
     */
    Optional<String> tenancyUrl();

    /** Billing's base URL: a tenant's hourly usage and its invoices. */
    Optional<String> billingUrl();

    /** Exports a tenant may have queued or running at once; another request is 409 until one ends. */
    @WithDefault("1")
    int maxOpenPerTenant();
}
