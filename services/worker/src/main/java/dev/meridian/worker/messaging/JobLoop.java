package dev.meridian.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.training.FineTuneRun;
import dev.meridian.worker.training.OrtRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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
 */
public final class JobLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobLoop.class.getName());

    private final WorkerConfig config;
    private final ObjectMapper json;
    private final OrtRuntime ort;
    private final BlobStore blobs;
    private final KafkaEvents events;
    private final CancelListener cancels;
    private final KafkaConsumer<String, String> consumer;
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("finetune-run").daemon().factory());
    private final Thread thread;
    private final CompletableFuture<Exception> died = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile TopicPartition busyWith;
    private final AtomicBoolean handedOver = new AtomicBoolean();

    public JobLoop(WorkerConfig config, ObjectMapper json, OrtRuntime ort, KafkaEvents events,
            CancelListener cancels) {
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
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
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        this.thread = Thread.ofPlatform().name("finetune-jobs").start(this::run);
    }

    private final ConsumerRebalanceListener rebalance = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (busyWith != null && partitions.contains(busyWith)) {
                LOG.info("partition " + busyWith + " was taken from this worker; its job stops here and resumes"
                        + " on the worker that took it");
                handedOver.set(true);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (busyWith != null) {
                consumer.pause(partitions);
            }
        }
    };

    private void run() {
        try {
            consumer.subscribe(List.of(FineTuneTopics.jobs(config.region())), rebalance);
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    handle(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            LOG.severe("job loop stopped: " + e);
            died.complete(e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Completes with the cause should the loop stop by itself (not by {@link #close}): the worker then takes no more
     * jobs, and its process should end so that whoever runs it starts a new one.
     */
    public CompletableFuture<Exception> died() {
        return died;
    }

    private void handle(ConsumerRecord<String, String> r) throws Exception {
        var tp = new TopicPartition(r.topic(), r.partition());
        FineTuneJobMessage job;
        try {
            job = json.readValue(r.value(), FineTuneJobMessage.class);
        } catch (Exception e) {
            LOG.severe("skipping unreadable job message at " + tp + "@" + r.offset() + ": " + e.getMessage());
            commit(tp, r.offset());
            return;
        }
        if (cancels.isCancelled(job.jobId())) {
            LOG.info("job " + job.jobId() + " was cancelled before it started; skipped");
            commit(tp, r.offset());
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
        while (!outcome.isDone()) {
            var stray = consumer.poll(Duration.ofMillis(200));
            // paused partitions return nothing; should a fresh assignment slip through, leave its records unread
            for (var p : stray.partitions()) {
                consumer.seek(p, stray.records(p).getFirst().offset());
            }
        }
        busyWith = null;
        FineTuneRun.Outcome result = outcome.get();
        LOG.info("job " + job.jobId() + ": " + result);
        if (result != FineTuneRun.Outcome.HANDED_OVER) {
            commit(tp, r.offset());
        } else {
            consumer.seek(tp, r.offset()); // only matters if the partition comes back to this worker
        }
        consumer.resume(consumer.assignment());
    }

    private void commit(TopicPartition tp, long offset) {
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
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trainer.shutdownNow();
    }
}
