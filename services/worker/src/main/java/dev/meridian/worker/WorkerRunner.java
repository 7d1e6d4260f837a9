package dev.meridian.worker;

import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.metrics.WorkerMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs the region's {@link Worker} for the life of the application. On SIGTERM (Quarkus' shutdown) the worker takes
 * no new job and lets the running one reach its next checkpoint ({@code meridian.worker.checkpoint-grace}), where it
 * is handed over to another worker, before its Kafka clients close. Should the job loop stop for good (a JVM error),
 * the process exits with status 1, so that whoever runs it (Kubernetes, ./platform's supervisor) starts a new one
 * instead of keeping a process that takes no jobs.
 */
@Singleton
public class WorkerRunner {

    private static final Logger LOG = Logger.getLogger(WorkerRunner.class);

    @Inject
    WorkerConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    Tracer tracer;

    private volatile Worker worker;

    void start(@Observes StartupEvent started) {
        var meters = new WorkerMeters(registry);
        worker = new Worker(config, Worker.events(config, meters), meters, tracer);
        // not on the loop's own thread: exiting stops the worker, which waits for that thread to end
        worker.died().thenAcceptAsync(cause -> {
            LOG.errorf("the worker's job loop stopped (%s); exiting so that it is restarted", cause);
            Quarkus.asyncExit(1);
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        var w = worker;
        if (w != null) {
            w.close(config.checkpointGrace());
        }
    }

    /** The running worker; empty until it has started. */
    public Optional<Worker> worker() {
        return Optional.ofNullable(worker);
    }
}
