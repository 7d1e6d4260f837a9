package dev.meridian.worker.health;

import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.worker.WorkerRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The worker's health for its orchestrator's probes: {@code /q/health/ready} is DOWN while a consumer of the worker
 * does not take records (starting, or restarting after a failure), with its state, since when and why;
 * {@code /q/health/live} is DOWN once the job loop has stopped for good.
 */
@ApplicationScoped
public class WorkerHealthChecks {

    @Inject
    WorkerRunner runner;

    /** Both consumers, each with its state, since when, its partitions and the problem of a failing one. */
    @Produces
    @Readiness
    HealthCheck consumers() {
        return () -> {
            var b = HealthCheckResponse.named("fine-tune consumers");
            var worker = runner.worker();
            if (worker.isEmpty()) {
                return b.down().withData("worker", "starting").build();
            }
            boolean up = true;
            for (var e : worker.get().health().entrySet()) {
                BatchConsumer.Health h = e.getValue();
                up &= h.consuming();
                String data = h.state() + " since " + h.since() + ", " + h.assignment().size() + " partition(s)"
                        + (h.problem() == null ? "" : ": " + h.problem());
                b.withData(e.getKey(), data);
            }
            return b.status(up).build();
        };
    }

    @Produces
    @Liveness
    HealthCheck jobLoop() {
        return () -> HealthCheckResponse.named("fine-tune job loop")
                .status(runner.worker().map(w -> !w.died().isDone()).orElse(true)).build();
    }
}
