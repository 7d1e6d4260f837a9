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
import dev.meridian.worker.messaging.KafkaEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/** A fine-tuning worker of one region: the job loop, the cancel listener and the event producer. */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Worker.class.getName());

    private final KafkaEvents events;
    private final CancelListener cancels;
    private final JobLoop jobs;

    public Worker(WorkerConfig config) {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        var ort = OnnxRuntime.start(config.executionProvider(), config.intraOpThreads(),
                "meridian.worker.execution-provider");
        this.events = new KafkaEvents(config.kafka(), config.region(), json);
        this.cancels = new CancelListener(config.kafka(), config.region(), json);
        this.jobs = new JobLoop(config, json, ort, events, cancels);
        LOG.info("worker " + config.workerId() + " takes " + config.region() + " fine-tuning jobs (group "
                + config.group() + ", blobs: " + config.blobs().describe() + ")");
    }

    /**
     * What each consumer of the worker is doing, by name, for the readiness endpoint: the worker is ready only while
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

    @Override
    public void close() {
        jobs.close();
        cancels.close();
        events.close();
    }
}
