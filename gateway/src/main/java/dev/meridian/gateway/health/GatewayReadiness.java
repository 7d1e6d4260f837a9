package dev.meridian.gateway.health;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.LastUsedReporter;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.messaging.TenancyChangesListener;
import dev.meridian.gateway.metering.UsagePublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready as soon as the routes are up. Deliberately not tied to tenancy or Kafka: cached keys keep being served
 * while either is away (a miss then gets a 503 the client may retry), and taking every gateway out of the load
 * balancer because the control plane blinked would turn a partial outage into a full one. What they are doing is
 * reported as data for operators.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    @Inject
    GatewayConfig config;
    @Inject
    KeyDirectory keys;
    @Inject
    TenancyChangesListener changes;
    @Inject
    LastUsedReporter lastUsed;
    @Inject
    UsagePublisher usage;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("gateway")
                .up()
                .withData("region", config.region())
                .withData("cached_keys", keys.size())
                .withData("listening_to_tenancy_changes", changes.listening())
                .withData("last_used_pending", lastUsed.pendingCount())
                .withData("usage_events_waiting", usage.backlog())
                .withData("usage_events_published", usage.published())
                .withData("usage_kafka_failing", usage.brokerFailing())
                .build();
    }
}
