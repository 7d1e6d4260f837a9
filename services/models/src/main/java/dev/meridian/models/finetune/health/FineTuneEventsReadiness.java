package dev.meridian.models.finetune.health;

import dev.meridian.models.finetune.messaging.WorkerEventsConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the consumer of the workers' events keeps failing on an event (retried with a growing backoff): jobs
 * would not advance, so the service says so instead of looking healthy. Whether the consumer is connected and holds
 * its partitions is the messaging extension's own readiness check.
 */
@Readiness
@ApplicationScoped
public class FineTuneEventsReadiness implements HealthCheck {

    @Inject
    WorkerEventsConsumer events;

    @Override
    public HealthCheckResponse call() {
        var failing = events.health().failing();
        var response = HealthCheckResponse.named("finetune-events consumer").status(failing.isEmpty());
        failing.ifPresent(f -> response.withData("failing_since", f.since().toString())
                .withData("problem", f.problem()));
        return response.build();
    }
}
