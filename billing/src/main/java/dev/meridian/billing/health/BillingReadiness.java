package dev.meridian.billing.health;

import dev.meridian.billing.usage.messaging.UsageConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the API is up. Deliberately not tied to Kafka: invoices, budgets and leases are served from the database
 * while the broker is away, and usage simply arrives later. What the usage consumers hold is reported as data, so an
 * operator (or a test) sees whether usage is being ingested: no assigned partitions means none is.
 */
@Readiness
@ApplicationScoped
public class BillingReadiness implements HealthCheck {

    @Inject
    UsageConsumer usage;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("billing")
                .up()
                .withData("usage_partitions_assigned", usage.assignment().size())
                .withData("usage_events_ingested", usage.ingested())
                .withData("usage_events_skipped", usage.skipped())
                .build();
    }
}
