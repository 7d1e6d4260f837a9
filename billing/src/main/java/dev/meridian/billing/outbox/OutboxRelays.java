package dev.meridian.billing.outbox;

import dev.meridian.billing.budgets.service.BudgetAlerts;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.outbox.OutboxRelay;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;

/**
 * Billing's outbox ({@code billing.alerts}, {@code billing.plans}) on the shared relay: published right after each
 * commit that wrote to it, every 5 s as the safety net, and in each round of the billing jobs. Alert consumers dedupe
 * by the alert's {@code id}, tenancy applies plan changes by version.
 */
public class OutboxRelays {

    @Produces
    @Startup
    @Singleton
    OutboxRelay relay(BillingConfig config, OutboxRelay.Environment env) {
        return OutboxRelay.start(new OutboxRelay.Settings("billing-outbox-relay", "outbox",
                Set.of(BudgetAlerts.TOPIC, PlanChange.TOPIC), 3, (short) 1, Duration.ofSeconds(5), 200,
                config.outbox().retention(), config.outbox().purgeInterval(), config.outbox().purgeBatch()), env);
    }

    void close(@Disposes OutboxRelay relay) {
        relay.close();
    }
}
