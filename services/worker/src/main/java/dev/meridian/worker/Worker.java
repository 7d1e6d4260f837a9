package dev.meridian.worker;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.messaging.CancelListener;
import dev.meridian.worker.messaging.JobLoop;
import dev.meridian.worker.messaging.JobTracing;
import dev.meridian.worker.messaging.KafkaEvents;
import dev.meridian.worker.metrics.WorkerMeters;
import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * A fine-tuning worker of one region: the job loop, the cancel listener and the event producer. {@link WorkerRunner}
 * runs one for the life of the Quarkus application; it needs no container, so a test can run several in one JVM.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Worker.class.getName());

    private final KafkaEvents events;
    private final CancelListener cancels;
    private final JobLoop jobs;

    /** Starts taking jobs; {@code events} (from {@link #events}) publishes what the jobs report. */
    public Worker(WorkerConfig config, KafkaEvents events, WorkerMeters meters, Tracer tracer) {
        var ort = OnnxRuntime.start(config.executionProvider(), config.onnxThreads(),
                "meridian.worker.execution-provider");
        this.events = events;
        this.cancels = new CancelListener(config.kafka(), config.region(), json());
        this.jobs = new JobLoop(config, json(), ort, events, cancels, meters, new JobTracing(tracer));
        LOG.info("worker " + config.workerId() + " takes " + config.region() + " fine-tuning jobs (group "
                + config.consumerGroup() + ", blobs: " + config.blobStore().describe() + ")");
    }

    /** The worker's own producer of job events and usage. */
    public static KafkaEvents events(WorkerConfig config, WorkerMeters meters) {
        var kafka = config.kafka();
        return new KafkaEvents(KafkaEvents.producer(kafka), kafka, config.region(), json(), meters);
    }

    /** How the worker reads and writes job messages and events. */
    public static ObjectMapper json() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * What each consumer of the worker is doing, by name, for the readiness checks: the worker is ready only while
     * both take records.
     */
    public Map<String, BatchConsumer.Health> health() {
        var all = new LinkedHashMap<String, BatchConsumer.Health>();
        all.put("finetune-jobs consumer", jobs.health());
        all.put("finetune-cancels consumer", cancels.health());
        return all;
    }

    /** Completes should the job loop stop by itself, with why: the worker takes no more jobs then. */
    public CompletableFuture<Exception> died() {
        return jobs.died();
    }

    /** Stops at once: a running job stops where it is and resumes at another worker from its last checkpoint. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** Stops taking jobs, lets a running job go on to its next checkpoint for up to {@code grace}, then stops. */
    public void close(Duration grace) {
        jobs.close(grace);
        cancels.close();
        events.close();
    }
}
