package dev.meridian.models.finetune.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.models.finetune.FineTuneCheckpoint;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.FineTuneJobEvent;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.finetune.service.JobService;
import dev.meridian.models.finetune.service.TenantScope;
import dev.meridian.models.finetune.service.TunedModelRegistration;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Applies what workers report on {@code <region>.finetune.events} to the jobs: status, event log, checkpoints and
 * the result. Each event is applied once (its id is the event log's primary key), in its own transaction under the
 * event's tenant, and its offset is committed only after that transaction committed. A job that has ended keeps its
 * outcome: a late or repeated terminal event only adds to the log, so a job gets exactly one tuned model.
 */
@ApplicationScoped
public class WorkerEventsConsumer {

    private static final Logger LOG = Logger.getLogger(WorkerEventsConsumer.class);

    @Inject
    FineTuneConfig config;
    @Inject
    JobService jobs;
    @Inject
    TenantScope scope;
    @Inject
    ObjectMapper json;
    @Inject
    TunedModelRegistration registration;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "meridian.models.region")
    String region;

    private volatile boolean running;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.eventsGroup() + "-" + region);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "true");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = Thread.ofPlatform().name("finetune-events").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(FineTuneTopics.events(region)));
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!applyOrRewind(r)) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Applies one record and commits past it; on failure rewinds to it, so the next poll retries it. */
    private boolean applyOrRewind(ConsumerRecord<String, String> r) {
        var tp = new TopicPartition(r.topic(), r.partition());
        try {
            FineTuneEvent e = json.readValue(r.value(), FineTuneEvent.class);
            // The registry validates and stores in transactions of its own, so the version is made before the job's
            // transition; a crash between the two finds the same version next time (content-addressed).
            TunedModelRegistration.Outcome registered = FineTuneEvent.SUCCEEDED.equals(e.type()) && awaitsResult(e)
                    ? register(e) : null;
            QuarkusTransaction.requiringNew().run(() -> apply(e, registered));
            if (FineTuneEvent.SUCCEEDED.equals(e.type())) {
                discardExportOnceRegistered(e);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException bad) {
            LOG.errorf("skipping unreadable fine-tuning event at %s@%d: %s", tp, r.offset(), bad.getOriginalMessage());
        } catch (RuntimeException failed) {
            LOG.warnf("cannot apply fine-tuning event at %s@%d yet (%s); retrying", tp, r.offset(),
                    failed.getMessage());
            consumer.seek(tp, r.offset());
            sleep();
            return false;
        }
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
        return true;
    }

    private boolean awaitsResult(FineTuneEvent e) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bind(e.tenantId());
            FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                    .firstResult();
            return job != null && !job.terminal() && FineTuneJobEvent.findById(e.id()) == null;
        });
    }

    /**
     * After a success the registry holds the tuned model, so the worker's export goes; checked against the job as
     * committed, which also covers a repeated success event after a crash between the transition and the delete.
     */
    private void discardExportOnceRegistered(FineTuneEvent e) {
        String registeredBlobKey = QuarkusTransaction.requiringNew().call(() -> {
            scope.bind(e.tenantId());
            FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                    .firstResult();
            return job != null && FineTuneJob.SUCCEEDED.equals(job.status) ? job.resultBlobKey : null;
        });
        if (registeredBlobKey != null) {
            registration.discardExport(e.tenantId(), e.jobId(), e.result(), registeredBlobKey);
        }
    }

    private TunedModelRegistration.Outcome register(FineTuneEvent e) {
        FineTuneJob job = QuarkusTransaction.requiringNew().call(() -> {
            scope.bind(e.tenantId());
            FineTuneJob found = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                    .firstResult();
            return found;
        });
        try {
            return registration.register(e.tenantId(), JobService.modelName(job).toString(), job.baseModel, job.id,
                    e.result());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    void apply(FineTuneEvent e, TunedModelRegistration.Outcome registered) {
        scope.bind(e.tenantId());
        if (FineTuneJobEvent.findById(e.id()) != null) {
            return; // applied before
        }
        FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (job == null) {
            LOG.warnf("event %s names job %s, which tenant %s does not have; ignored", e.id(), e.jobId(),
                    e.tenantId());
            return;
        }
        Instant at = e.occurredAt() == null ? Instant.now() : e.occurredAt();
        String level = e.level() == null ? "info" : e.level();
        if (job.terminal()) {
            jobs.event(e.id(), job, level, "message", e.message() + " (after the job " + job.status + ")", null, at);
            return;
        }
        switch (e.type()) {
            case FineTuneEvent.RUNNING -> {
                job.status = FineTuneJob.RUNNING;
                if (job.startedAt == null) {
                    job.startedAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                }
                jobs.event(e.id(), job, level, "message", e.message(), null, at);
            }
            case FineTuneEvent.METRICS -> {
                var data = new LinkedHashMap<String, Object>();
                data.put("step", e.step());
                data.put("epoch", e.epoch());
                if (e.metrics() != null) {
                    data.putAll(e.metrics());
                }
                jobs.event(e.id(), job, level, "metrics", e.message(), data, at);
            }
            case FineTuneEvent.CHECKPOINT -> {
                var c = e.checkpoint();
                boolean known = FineTuneCheckpoint.count("tenantId = ?1 and jobId = ?2 and stepNumber = ?3",
                        job.tenantId, job.id, c.stepNumber()) > 0;
                if (!known) {
                    var row = new FineTuneCheckpoint();
                    row.id = "ftckpt-" + e.id().toString().replace("-", "").substring(0, 24);
                    row.tenantId = job.tenantId;
                    row.jobId = job.id;
                    row.stepNumber = c.stepNumber();
                    row.metrics = write(c.metrics() == null ? Map.of() : c.metrics());
                    row.blobKey = c.blobKey();
                    row.fineTunedModelCheckpoint = JobService.modelName(job) + ":ckpt-step-" + c.stepNumber();
                    row.createdAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                    row.persist();
                }
                jobs.event(e.id(), job, level, "message", e.message(), null, at);
            }
            case FineTuneEvent.SUCCEEDED -> {
                var result = e.result();
                if (registered != null && registered.refusal() != null) {
                    job.status = FineTuneJob.FAILED;
                    job.finishedAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                    job.errorCode = "model_registration_failed";
                    job.errorMessage = "Training succeeded, but the model registry refused the exported model: "
                            + registered.refusal() + " Retry the job; if it fails again, contact support.";
                    jobs.event(e.id(), job, "error", "message", job.errorMessage, null, at);
                    return;
                }
                job.status = FineTuneJob.SUCCEEDED;
                job.finishedAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                job.fineTunedModel = JobService.modelName(job).toString();
                // The registry's copy is the job's model from now on; the worker's export is deleted after commit.
                job.resultBlobKey = registered != null ? registered.blobKey() : result.blobKey();
                job.resultSha256 = result.sha256();
                job.resultBytes = result.bytes();
                job.trainedTokens = result.trainedExamples();
                // The one place a job's model comes into being: this transition happens once per job (row lock,
                // terminal check), however often a worker reports success.
                jobs.event(e.id(), job, level, "message", e.message(), null, at);
                if (registered != null) {
                    jobs.event(UUID.nameUUIDFromBytes((e.id() + ":registered").getBytes()), job, "info", "message",
                            "Registered as version " + registered.version() + " of model " + registered.model()
                                    + " and deployed", Map.of("model", registered.model(),
                                    "version", registered.version()), at.plusNanos(1000));
                }
            }
            case FineTuneEvent.FAILED -> {
                job.status = FineTuneJob.FAILED;
                job.finishedAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                job.errorCode = e.error() == null ? "training_failed" : e.error().code();
                job.errorMessage = e.error() == null ? e.message() : e.error().message();
                jobs.event(e.id(), job, "error", "message", e.message(), null, at);
            }
            case FineTuneEvent.CANCELLED -> {
                job.status = FineTuneJob.CANCELLED;
                job.finishedAt = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                jobs.event(e.id(), job, level, "message", e.message(), null, at);
            }
            default -> jobs.event(e.id(), job, level, "message", e.message(), null, at);
        }
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
