package dev.meridian.billing.usage.service;

import dev.meridian.billing.config.BillingConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Deletes the ids of usage events older than {@code meridian.billing.retention.raw-usage} (400 days by default), every
 * {@code retention.interval}, in transactions of at most {@value #BATCH} rows, through the database function of
 * migration V23, which alone may delete across tenants. The hourly figures (what invoices are made of) are kept; the
 * usage consumer refuses events older than the same cutoff, so a purged id can never be billed twice.
 */
@ApplicationScoped
public class UsageRetention {

    private static final Logger LOG = Logger.getLogger(UsageRetention.class);
    static final int BATCH = 10_000;

    @Inject
    EntityManager em;
    @Inject
    BillingConfig config;
    @Inject
    Clock clock;

    @Scheduled(identity = "raw-usage-retention", every = "{meridian.billing.retention.interval}",
            delayed = "{meridian.billing.retention.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            long removed = purge(clock.instant());
            if (removed > 0) {
                LOG.infof("retention: removed the ids of %d usage events older than %s", removed,
                        config.retention().rawUsage());
            }
        } catch (RuntimeException e) {
            LOG.warnf("raw usage retention purge failed (%s); it runs again in %s", e.toString(),
                    config.retention().interval());
        }
    }

    /** Deletes the event ids due at {@code now}; returns how many. */
    public long purge(Instant now) {
        Instant cutoff = now.minus(config.retention().rawUsage());
        long total = 0;
        long removed;
        do {
            removed = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                            "select billing.purge_usage_events(?1, ?2)")
                    .setParameter(1, cutoff.atOffset(ZoneOffset.UTC)).setParameter(2, BATCH)
                    .getSingleResult()).longValue());
            total += removed;
        } while (removed == BATCH);
        return total;
    }
}
