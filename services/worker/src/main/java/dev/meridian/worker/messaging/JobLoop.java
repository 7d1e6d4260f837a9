package dev.meridian.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.BatchConsumer;
import dev.meridian.common.kafka.UnprocessableRecord;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.metrics.WorkerMeters;
import dev.meridian.worker.training.FineTuneRun;
import io.opentelemetry.context.Context;
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
 * <p>A hand-written consumer, not a SmallRye Reactive Messaging {@code @Incoming}, because the guarantee lives in what
 * the connector does not let a method do: keep polling with paused partitions while a job runs for longer than
 * {@code max.poll.interval.ms}, commit one record's offset only after the job's outcome event is acknowledged, and
 * stop the running job (to be resumed elsewhere from its checkpoints) the moment its partition is revoked.
 *
 * <p>{@link #close(Duration)} stops the worker gracefully: no new job is taken, the running one goes on to its next
 * checkpoint and is handed over there (its offset stays uncommitted, so the group gives it to another worker).
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
    private final WorkerMeters meters;
    private final JobTracing tracing;
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
    /** Set on a graceful stop: take no new job, and stop the running one at its next checkpoint. */
    private volatile boolean draining;
    private volatile Future<FineTuneRun.Outcome> current;

    public JobLoop(WorkerConfig config, ObjectMapper json, OnnxRuntime ort, KafkaEvents events,
            CancelListener cancels, WorkerMeters meters, JobTracing tracing) {
        this.recovery = BatchConsumer.Recovery.standard();
        this.meters = meters;
        this.tracing = tracing;
        this.config = config;
        this.json = json;
        this.ort = ort;
        try {
            this.blobs = config.blobStore().open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store (" + config.blobStore().describe() + ")", e);
        }
        this.events = events;
        this.cancels = cancels;
        Properties p = config.kafka().properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
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
            // called on every rebalance, with no partitions too: the worker is in the group and takes what it is given
            if (health.state() != BatchConsumer.State.CONSUMING) {
                health(BatchConsumer.State.CONSUMING, null);
            }
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
                try (var c = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
                        var bound = meters.bind(c)) {
                    consumer = c;
                    c.subscribe(List.of(FineTuneTopics.jobs(config.region())), rebalance);
                    while (running) {
                        var records = c.poll(Duration.ofMillis(500));
                        for (ConsumerRecord<String, String> r : records) {
                            if (draining) {
                                break; // left uncommitted: the group gives it to another worker
                            }
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
            meters.jobSettled("dead_lettered");
            return;
        }
        if (cancels.isCancelled(job.jobId())) {
            LOG.info("job " + job.jobId() + " was cancelled before it started; skipped");
            commit(consumer, tp, r.offset());
            meters.jobSettled("skipped");
            return;
        }
        LOG.info("running job " + job.jobId() + " (" + job.baseModel() + ", " + job.trainingFile().examples()
                + " examples) from " + tp + "@" + r.offset());
        busyWith = tp;
        handedOver.set(false);
        consumer.pause(consumer.assignment());
        var run = new FineTuneRun(job, ort, blobs, events, config.workerId(),
                () -> cancels.isCancelled(job.jobId()), handedOver::get, () -> draining, meters.epochs());
        var span = tracing.start(r, job);
        meters.jobStarted();
        String ended = "failed";
        try {
            // the run's thread carries the job's span, so that what it publishes carries the job's trace
            Future<FineTuneRun.Outcome> outcome = trainer.submit(Context.current().with(span).wrap(run::run));
            current = outcome;
            FineTuneRun.Outcome result = await(consumer, outcome);
            ended = result.name();
            span.setAttribute("meridian.job.outcome", ended.toLowerCase(java.util.Locale.ROOT));
            LOG.info("job " + job.jobId() + ": " + result);
            if (result != FineTuneRun.Outcome.HANDED_OVER) {
                commit(consumer, tp, r.offset());
            } else {
                consumer.seek(tp, r.offset()); // only matters if the partition comes back to this worker
            }
            consumer.resume(consumer.assignment());
        } catch (RuntimeException | Error e) {
            ended = FineTuneRun.Outcome.HANDED_OVER.name();
            span.recordException(e);
            throw e;
        } finally {
            busyWith = null;
            current = null;
            meters.jobEnded(ended);
            span.end();
        }
    }

    /** Polls (its partitions paused) until the run ends, which keeps this worker in the group however long it takes. */
    private FineTuneRun.Outcome await(KafkaConsumer<String, String> consumer, Future<FineTuneRun.Outcome> outcome)
            throws Exception {
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
            throw e;
        }
        return outcome.get();
    }

    private static void commit(KafkaConsumer<String, String> consumer, TopicPartition tp, long offset) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
        } catch (RuntimeException e) {
            // the partition moved to another worker meanwhile: it will see the job's outcome and skip or redo it
            LOG.warning("could not commit " + tp + "@" + offset + ": " + e.getMessage());
        }
    }

    /** Stops at once: the running job stops where it is (it resumes elsewhere from its last checkpoint). */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Stops gracefully: takes no new job, lets the running one go on for up to {@code grace} to its next checkpoint,
     * where it stops and is handed over; then stops as {@link #close()} does.
     */
    public void close(Duration grace) {
        draining = true;
        var job = current;
        if (job != null && grace.isPositive()) {
            LOG.info("stopping: the running job goes on to its next checkpoint (at most " + grace.toSeconds()
                    + " s), then another worker takes it over");
            try {
                job.get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.info("the running job reached no checkpoint within " + grace.toSeconds() + " s; it stops here");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // its own failure, reported by the run
            }
        }
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
