package dev.meridian.billing.budgets.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.Account;
import dev.meridian.billing.KeyBudget;
import dev.meridian.billing.Period;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.outbox.Outbox;
import dev.meridian.billing.pricing.PriceBook;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Announces soft-budget thresholds: when a period's spend reaches a threshold (50, 80, 100 % by default) of the
 * tenant's or a key's soft budget, one event on {@code billing.alerts} (through the outbox) and one signed webhook to
 * the tenant's URL, once per threshold and period (a row in {@code budget_alerts} makes it once).
 */
@ApplicationScoped
public class BudgetAlerts {

    public static final String TOPIC = "billing.alerts";
    public static final String TYPE = "budget.threshold_reached";
    private static final UUID TENANT_WIDE = new UUID(0, 0);

    @Inject
    EntityManager em;
    @Inject
    Accounts accounts;
    @Inject
    Budgets budgets;
    @Inject
    BillingConfig config;
    @Inject
    PriceBook prices;
    @Inject
    Outbox outbox;
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /** Checks one tenant's budgets; returns how many alerts it raised. */
    @Transactional
    public int check(UUID tenantId) {
        Account account = accounts.find(tenantId).orElse(null);
        if (account == null) {
            return 0;
        }
        Period period = Period.containing(clock.instant());
        int raised = 0;
        if (account.softBudgetMinor != null) {
            raised += check(account, null, account.softBudgetMinor, period);
        }
        for (KeyBudget k : KeyBudget.<KeyBudget>list("id.tenantId = ?1 and softBudgetMinor is not null", tenantId)) {
            raised += check(account, k.id.keyId(), k.softBudgetMinor, period);
        }
        return raised;
    }

    private int check(Account account, UUID keyId, long budgetMinor, Period period) {
        long spent = budgets.spentMinor(account, keyId, period);
        int raised = 0;
        for (int pct : config.alerts().thresholdsPct()) {
            if (Math.multiplyExact(spent, 100L) < Math.multiplyExact(budgetMinor, (long) pct)) {
                continue;
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            int inserted = em.createNativeQuery("insert into budget_alerts (tenant_id, key_id, period_start,"
                            + " threshold_pct, spent_minor, budget_minor, alerted_at) values (:t, :k, :p, :pct, :s, :b, :at)"
                            + " on conflict do nothing")
                    .setParameter("t", account.tenantId)
                    .setParameter("k", keyId == null ? TENANT_WIDE : keyId)
                    .setParameter("p", OffsetDateTime.ofInstant(period.start(), ZoneOffset.UTC))
                    .setParameter("pct", pct).setParameter("s", spent).setParameter("b", budgetMinor)
                    .setParameter("at", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .executeUpdate();
            if (inserted == 0) {
                continue; // announced before
            }
            Map<String, Object> alert = new LinkedHashMap<>();
            alert.put("id", UUID.randomUUID());
            alert.put("type", TYPE);
            alert.put("tenant_id", account.tenantId);
            alert.put("key_id", keyId);
            alert.put("threshold_pct", pct);
            alert.put("spent_minor", spent);
            alert.put("budget_minor", budgetMinor);
            alert.put("currency", prices.currencyOf(account.region));
            alert.put("period_start", period.start().toString());
            alert.put("occurred_at", now.toString());
            raise(account, alert, now);
            raised++;
        }
        return raised;
    }

    /**
     * Publishes an alert on {@value #TOPIC} (through the outbox, in the caller's transaction) and queues it for the
     * tenant's webhook when it has one: how every billing alert (budget thresholds, trial endings) reaches the tenant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void raise(Account account, Map<String, Object> alert, Instant at) {
        String body;
        try {
            body = json.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        outbox.write(TOPIC, account.tenantId.toString(), body);
        if (account.webhookUrl != null) {
            em.createNativeQuery("insert into webhook_deliveries (id, tenant_id, url, payload, next_attempt_at,"
                            + " created_at) values (:id, :t, :u, :p, :at, :at)")
                    .setParameter("id", UUID.randomUUID()).setParameter("t", account.tenantId)
                    .setParameter("u", account.webhookUrl).setParameter("p", body)
                    .setParameter("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                    .executeUpdate();
        }
    }
}
