package dev.meridian.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.UnprocessableRecord;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.training.FineTuneRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Takes jobs from {@code <region>.finetune.jobs}, one at a time, as a member of the region's worker group. A job's
 * offset is committed only once the job has ended and its outcome event has been acknowledged by Kafka; a worker that
 * dies mid-job commits nothing, so the group hands the job to another worker, which resumes from the checkpoints.
 * While a job runs, the loop keeps polling with its partitions paused, which keeps it in the group however long the
 * job takes.
 *
 * <p>Its Kafka consumer failing (a commit after a rebalance, the broker, anything unexpected) does not stop the
 * worker: the running job is handed over, the consumer is closed and a new one starts after a backoff that doubles up
 * to {@code maxBackoff}, while {@link #health} says it is not consuming. A job message that can never run (not JSON,
 * missing fields) goes to {@code <region>.finetune.jobs.dlq} with the reason and is committed past.
 */
public final class JobLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobLoop.class.getName());

    private final WorkerConfig config;
    private final ObjectMapper json;
    private final OnnxRuntime ort;
    private final BlobStore blobs;
    private final KafkaEvents events;
    private final CancelListener cancels;
    private final Properties properties;
    private final BatchConsumer.Recovery recovery;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile BatchConsumer.Health health = new BatchConsumer.Health(BatchConsumer.State.STARTING,
            Instant.now(), java.util.Set.of(), null);
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("finetune-run").daemon().factory());
    private final Thread thread;
    private final CompletableFuture<Exception> died = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile TopicPartition busyWith;
    private final AtomicBoolean handedOver = new AtomicBoolean();

    public JobLoop(WorkerConfig config, ObjectMapper json, OnnxRuntime ort, KafkaEvents events,
            CancelListener cancels) {
        this(config, json, ort, events, cancels, BatchConsumer.Recovery.standard());
    }

    public JobLoop(WorkerConfig config, ObjectMapper json, OnnxRuntime ort, KafkaEvents events,
            CancelListener cancels, BatchConsumer.Recovery recovery) {
        this.recovery = recovery;
        this.config = config;
        this.json = json;
        this.ort = ort;
        try {
            this.blobs = config.blobs().open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store (" + config.blobs().describe() + ")", e);
        }
        this.events = events;
        this.cancels = cancels;
        Properties p = config.kafka().properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        // cooperative: a worker joining or leaving moves only the partitions that change hands, so a running job is
        // not interrupted by every rebalance
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(config.sessionTimeout().toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(config.sessionTimeout().toMillis() / 4));
        this.properties = p;
        this.thread = Thread.ofPlatform().name("finetune-jobs").start(this::run);
    }

    private final ConsumerRebalanceListener rebalance = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            if (busyWith != null && partitions.contains(busyWith)) {
                LOG.info("partition " + busyWith + " was taken from this worker; its job stops here and resumes"
                        + " on the worker that took it");
                handedOver.set(true);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            var c = consumer;
            if (busyWith != null && c != null) {
                c.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            onPartitionsRevoked(partitions);
        }
    };

    private void run() {
        Duration backoff = recovery.firstBackoff();
        try {
            while (running) {
                health(BatchConsumer.State.STARTING, null);
                Exception failure = null;
                try (var c = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
                    consumer = c;
                    c.subscribe(List.of(FineTuneTopics.jobs(config.region())), rebalance);
                    while (running) {
                        var records = c.poll(Duration.ofMillis(500));
                        if (health.state() != BatchConsumer.State.CONSUMING) {
                            health(BatchConsumer.State.CONSUMING, null);
                        }
                        for (ConsumerRecord<String, String> r : records) {
                            handle(c, r);
                            backoff = recovery.firstBackoff();
                        }
                    }
                } catch (WakeupException e) {
                    // closing
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    failure = e;
                } finally {
                    consumer = null;
                    assigned.clear();
                }
                if (failure != null && running) {
                    LOG.log(java.util.logging.Level.WARNING, "the job loop stopped consuming (" + failure
                            + "); it restarts in " + backoff.toMillis() + " ms", failure);
                    health(BatchConsumer.State.BACKING_OFF, failure.toString());
                    Thread.sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(recovery.maxBackoff()) > 0 ? recovery.maxBackoff()
                            : backoff.multipliedBy(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            LOG.severe("job loop stopped: " + e);
            died.complete(new IllegalStateException(e));
            throw e;
        } finally {
            health(BatchConsumer.State.STOPPED, null);
        }
    }

    private void health(BatchConsumer.State state, String problem) {
        health = new BatchConsumer.Health(state, Instant.now(), java.util.Set.of(), problem);
    }

    /** Whether the loop takes jobs now, with the partitions it holds. */
    public BatchConsumer.Health health() {
        var h = health;
        return new BatchConsumer.Health(h.state(), h.since(), java.util.Set.copyOf(assigned), h.problem());
    }

    private final java.util.Set<TopicPartition> assigned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Completes with the cause should the loop stop by itself (not by {@link #close}; only a JVM error does, any
     * exception restarts the consumer): the worker then takes no more jobs, and its process should end so that
     * whoever runs it starts a new one.
     */
    public CompletableFuture<Exception> died() {
        return died;
    }

    /** The job of a record, or {@link UnprocessableRecord} when it can never run. */
    FineTuneJobMessage parse(String value) {
        FineTuneJobMessage job;
        try {
            job = json.readValue(value, FineTuneJobMessage.class);
        } catch (Exception e) {
            throw new UnprocessableRecord("not a fine-tuning job message: " + e.getMessage());
        }
        if (job == null || job.jobId() == null || job.tenantId() == null || job.baseModel() == null
                || job.trainingFile() == null || job.hyperparameters() == null || job.labels() == null
                || job.labels().isEmpty()) {
            throw new UnprocessableRecord("a fine-tuning job message needs job_id, tenant_id, base_model,"
                    + " training_file, hyperparameters and labels");
        }
        return job;
    }

    private void handle(KafkaConsumer<String, String> consumer, ConsumerRecord<String, String> r) throws Exception {
        var tp = new TopicPartition(r.topic(), r.partition());
        FineTuneJobMessage job;
        try {
            job = parse(r.value());
        } catch (UnprocessableRecord e) {
            events.deadLetter(r, e.getMessage(), "finetune-jobs");
            commit(consumer, tp, r.offset());
            return;
        }
        if (cancels.isCancelled(job.jobId())) {
            LOG.info("job " + job.jobId() + " was cancelled before it started; skipped");
            commit(consumer, tp, r.offset());
            return;
        }
        LOG.info("running job " + job.jobId() + " (" + job.baseModel() + ", " + job.trainingFile().examples()
                + " examples) from " + tp + "@" + r.offset());
        busyWith = tp;
        handedOver.set(false);
        consumer.pause(consumer.assignment());
        var run = new FineTuneRun(job, ort, blobs, events, config.workerId(),
                () -> cancels.isCancelled(job.jobId()), handedOver::get, config.epochPause());
        Future<FineTuneRun.Outcome> outcome = trainer.submit(run::run);
        try {
            while (!outcome.isDone()) {
                var stray = consumer.poll(Duration.ofMillis(200));
                // paused partitions return nothing; should a fresh assignment slip through, leave its records unread
                for (var p : stray.partitions()) {
                    consumer.seek(p, stray.records(p).getFirst().offset());
                }
            }
        } catch (RuntimeException e) {
            // the consumer failed under the job: stop the job (another worker, or this one after its restart, resumes
            // it from its checkpoints) before the consumer is replaced
            handedOver.set(true);
            try {
                outcome.get();
            } catch (Exception ignored) {
                // the job's outcome is HANDED_OVER or its own failure, reported by the run
            }
            busyWith = null;
            throw e;
        }
        busyWith = null;
        FineTuneRun.Outcome result = outcome.get();
        LOG.info("job " + job.jobId() + ": " + result);
        if (result != FineTuneRun.Outcome.HANDED_OVER) {
            commit(consumer, tp, r.offset());
        } else {
            consumer.seek(tp, r.offset()); // only matters if the partition comes back to this worker
        }
        consumer.resume(consumer.assignment());
    }

    private static void commit(KafkaConsumer<String, String> consumer, TopicPartition tp, long offset) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
        } catch (RuntimeException e) {
            // the partition moved to another worker meanwhile: it will see the job's outcome and skip or redo it
            LOG.warning("could not commit " + tp + "@" + offset + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        handedOver.set(true);
        var c = consumer;
        if (c != null) {
            c.wakeup();
        } else {
            thread.interrupt(); // waiting to restart: nothing to finish
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trainer.shutdownNow();
    }
}
