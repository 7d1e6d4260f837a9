package dev.meridian.tenancy.audit.service;

import dev.meridian.tenancy.config.TenancyConfig;
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
 * Deletes audit events older than {@code meridian.tenancy.retention.audit-events} (730 days by default), every
 * {@code retention.interval}, through the database function of migration V8, which alone may delete across tenants.
 */
@ApplicationScoped
public class AuditRetention {

    private static final Logger LOG = Logger.getLogger(AuditRetention.class);

    @Inject
    EntityManager em;
    @Inject
    TenancyConfig config;
    @Inject
    Clock clock;

    @Scheduled(identity = "audit-retention", every = "{meridian.tenancy.retention.interval}",
            delayed = "{meridian.tenancy.retention.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            long removed = purge(clock.instant());
            if (removed > 0) {
                LOG.infof("retention: removed %d audit events older than %s", removed,
                        config.retention().auditEvents());
            }
        } catch (RuntimeException e) {
            LOG.warnf("audit retention purge failed (%s); it runs again in %s", e.toString(),
                    config.retention().interval());
        }
    }

    /** Deletes the audit events due at {@code now}; returns how many. */
    public long purge(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "select purge_audit_events(?1)")
                .setParameter(1, now.minus(config.retention().auditEvents()).atOffset(ZoneOffset.UTC))
                .getSingleResult()).longValue());
    }
}
