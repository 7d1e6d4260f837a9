package dev.meridian.models.finetune;

import dev.meridian.worker.Worker;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.messaging.KafkaEvents;
import dev.meridian.worker.metrics.WorkerMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A worker in a JVM of its own, for the tests that kill one with SIGKILL: the worker's own parts, set up from
 * {@code -Dmeridian.worker.*} as the application's are. With {@code -D}{@value #CHECKPOINT_PAUSE}{@code =<ms>} it
 * publishes through {@link PausingEvents}, so that a kill can land between two epochs of milliseconds each.
 */
public final class ChildWorker {

    static final String CHECKPOINT_PAUSE = "it.checkpoint-pause-ms";

    private ChildWorker() {
    }

    /** The worker's settings from {@code builder}'s sources, durations written as Quarkus writes them ({@code 6s}). */
    static WorkerConfig config(SmallRyeConfigBuilder builder) {
        return builder.withMapping(WorkerConfig.class).withConverter(Duration.class, 200, new DurationConverter())
                .build().getConfigMapping(WorkerConfig.class);
    }

    public static void main(String[] args) throws InterruptedException {
        WorkerConfig config = config(new SmallRyeConfigBuilder().addDefaultSources());
        var meters = new WorkerMeters(new SimpleMeterRegistry());
        Duration pause = Duration.ofMillis(Long.getLong(CHECKPOINT_PAUSE, 0));
        KafkaEvents events = pause.isZero() ? Worker.events(config, meters) : new PausingEvents(config, meters, pause);
        new Worker(config, events, meters, OpenTelemetry.noop().getTracer("child-worker"));
        new CountDownLatch(1).await(); // runs until the test kills it
    }
}
