package dev.meridian.models.finetune.health;

import dev.meridian.models.finetune.messaging.WorkerEventsConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the consumer of the workers' events is not consuming (starting, or waiting to restart after a
 * failure): jobs would not advance, so the service says so instead of looking healthy.
 */
@Readiness
@ApplicationScoped
public class FineTuneEventsReadiness implements HealthCheck {

    @Inject
    WorkerEventsConsumer events;

    @Override
    public HealthCheckResponse call() {
        var health = events.health();
        var response = HealthCheckResponse.named("finetune-events consumer").status(health.consuming())
                .withData("state", health.state().name()).withData("since", health.since().toString())
                .withData("partitions", health.assignment().size());
        if (health.problem() != null) {
            response.withData("problem", health.problem());
        }
        return response.build();
    }
}
