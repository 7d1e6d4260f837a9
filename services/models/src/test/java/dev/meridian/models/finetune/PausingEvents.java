package dev.meridian.models.finetune;

import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.worker.Worker;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.messaging.KafkaEvents;
import dev.meridian.worker.metrics.WorkerMeters;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker's event producer, slowed down: after publishing a checkpoint event, the job's thread stands still for
 * {@code pause}. It stands in for a long epoch, so that a test can kill a worker between two checkpoints.
 */
final class PausingEvents extends KafkaEvents {

    private final Duration pause;

    PausingEvents(WorkerConfig config, WorkerMeters meters, Duration pause) {
        super(KafkaEvents.producer(config.kafka()), config.kafka(), config.region(), Worker.json(), meters);
        this.pause = pause;
    }

    @Override
    public void send(FineTuneEvent event, boolean durable) {
        super.send(event, durable);
        if (FineTuneEvent.CHECKPOINT.equals(event.type())) {
            LockSupport.parkNanos(pause.toNanos()); // the rest of a long epoch
        }
    }
}
