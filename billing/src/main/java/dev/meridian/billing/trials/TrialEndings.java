package dev.meridian.billing.trials;

import dev.meridian.billing.Account;
import dev.meridian.billing.budgets.service.BudgetAlerts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.tenant.TenantSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Announces the end of each trial before it happens: {@code meridian.billing.trials.ending-notice} ahead, a
 * {@code trial.ending} event on {@code billing.alerts} (through the outbox) and, where the tenant set a budget webhook,
 * the same payload signed to it. Exactly once per trial, however many replicas run this: the first to mark the trial
 * announced writes the event in the same transaction.
 */
@ApplicationScoped
public class TrialEndings {

    public static final String TYPE = "trial.ending";
    private static final Logger LOG = Logger.getLogger(TrialEndings.class);

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    Trials trials;
    @Inject
    BillingConfig config;
    @Inject
    BudgetAlerts alerts;
    @Inject
    Clock clock;

    @Scheduled(identity = "trial-endings", every = "${meridian.billing.trials.check-interval:15m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        announceDue();
    }

    /** Announces every trial ending within the notice and not announced yet; returns how many it announced. */
    public int announceDue() {
        Instant now = clock.instant();
        List<UUID> due = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UUID> ids = em.createNativeQuery("select trials_ending(:now, :until)")
                    .setParameter("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .setParameter("until", OffsetDateTime.ofInstant(now.plus(config.trials().endingNotice()),
                            ZoneOffset.UTC))
                    .getResultList();
            return ids;
        });
        int announced = 0;
        for (UUID tenant : due) {
            try {
                if (QuarkusTransaction.requiringNew().call(() -> announce(tenant, now))) {
                    announced++;
                }
            } catch (RuntimeException e) {
                LOG.warnf(e, "cannot announce the end of tenant %s's trial; tried again next round", tenant);
            }
        }
        return announced;
    }

    private boolean announce(UUID tenant, Instant now) {
        session.bindTenant(tenant);
        Instant at = now.truncatedTo(ChronoUnit.MICROS);
        int marked = em.createNativeQuery("update trials set ending_alerted_at = :at where tenant_id = :t"
                        + " and ending_alerted_at is null")
                .setParameter("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC)).setParameter("t", tenant)
                .executeUpdate();
        if (marked == 0) {
            return false; // another replica announced it
        }
        var trial = trials.view(tenant).orElseThrow();
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("id", UUID.randomUUID());
        alert.put("type", TYPE);
        alert.put("tenant_id", tenant);
        alert.put("amount_minor", trial.amountMinor());
        alert.put("remaining_minor", trial.remainingMinor());
        alert.put("currency", trial.currency());
        alert.put("expires_at", trial.expiresAt().toString());
        alert.put("occurred_at", at.toString());
        Account account = Account.findById(tenant);
        if (account == null) {
            throw new IllegalStateException("tenant " + tenant + " has a trial but no account");
        }
        alerts.raise(account, alert, at);
        return true;
    }
}
