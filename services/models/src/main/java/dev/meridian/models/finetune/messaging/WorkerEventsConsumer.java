package dev.meridian.models.finetune.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.HandlerHealth;
import dev.meridian.common.kafka.RecordRetry;
import dev.meridian.common.kafka.UnprocessableRecord;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneCheckpoint;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.FineTuneJobEvent;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.finetune.service.JobService;
import dev.meridian.models.finetune.service.ResultFiles;
import dev.meridian.models.finetune.service.TunedModelRegistration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies what workers report on {@code <region>.finetune.events} to the jobs: status, event log, checkpoints and
 * the result. Each event is applied once (its id is the event log's primary key), in its own transaction under the
 * event's tenant, and its offset is committed only after that transaction committed. A job that has ended keeps its
 * outcome: a late or repeated terminal event only adds to the log, so a job gets exactly one tuned model.
 *
 * <p>Consumed with the messaging extension ({@code mp.messaging.incoming.finetune-events.*}): an event that can never
 * be applied (not JSON, missing what its type needs, data the database refuses) goes to
 * {@code <region>.finetune.events.dlq} with the reason in the connector's {@code dead-letter-*} headers, and the
 * events after it are applied; any other failure is retried in place with a growing backoff, during which
 * {@link #health} (and so the service's readiness) says it is not applying events.
 */
@ApplicationScoped
public class WorkerEventsConsumer {

    private static final Logger LOG = Logger.getLogger(WorkerEventsConsumer.class);

    /** This service's retry of record handlers (one producer per service). */
    @Produces
    @Identifier(RecordRetry.GUARD)
    static final Guard RETRY = RecordRetry.guard();

    @Inject
    FineTuneConfig config;
    @Inject
    JobService jobs;
    @Inject
    TenantSession scope;
    @Inject
    ObjectMapper json;
    @Inject
    TunedModelRegistration registration;
    @Inject
    ResultFiles resultFiles;
    @Inject
    MeterRegistry meters;
    @Inject
    Clock clock;

    private final HandlerHealth health = new HandlerHealth();
    /** From a worker's event to the job showing it: the time that console users and API callers see it late. */
    private Timer lag;

    @PostConstruct
    void meters() {
        lag = Timer.builder("meridian.finetune.events.lag")
                .description("From a worker's fine-tuning event (its Kafka timestamp) to its being applied to the job")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofHours(1)).register(meters);
    }

    /** Whether the consumer applies events now, for the readiness check. */
    public HandlerHealth health() {
        return health;
    }

    /**
     * Applies one record; throws {@link UnprocessableRecord} for one that can never be applied (the connector moves it
     * to the dead-letter topic), anything else to have it retried.
     */
    @Incoming("finetune-events")
    @Blocking
    @ApplyGuard(RecordRetry.GUARD)
    public void handle(ConsumerRecord<String, String> r) {
        try {
            FineTuneEvent e = parse(r.value());
            try {
                if (FineTuneEvent.SUCCEEDED.equals(e.type())) {
                    applySuccess(e);
                    discardExportOnceRegistered(e);
                    resultFiles.discardUnregistered(e.tenantId(), e.jobId());
                } else {
                    QuarkusTransaction.requiringNew().run(() -> apply(e, null, null));
                }
                if (r.timestamp() > 0) {
                    lag.record(Duration.ofMillis(Math.max(0, clock.millis() - r.timestamp())));
                }
            } catch (RuntimeException failed) {
                if (dataRefused(failed)) {
                    throw new UnprocessableRecord("PostgreSQL refuses the data of event " + e.id() + " for job "
                            + e.jobId() + ": " + failed.getMessage(), failed);
                }
                throw failed;
            }
            health.applied();
        } catch (UnprocessableRecord unprocessable) {
            health.applied();
            throw unprocessable;
        } catch (RuntimeException failed) {
            LOG.warnf("cannot apply the event at %s-%d offset %d (%s); retrying it", r.topic(), r.partition(),
                    r.offset(), failed.toString());
            health.failed(failed);
            throw failed;
        }
    }

    /** The event, or {@link UnprocessableRecord} when it is not one or lacks what its type needs. */
    FineTuneEvent parse(String value) {
        FineTuneEvent e;
        try {
            e = json.readValue(value, FineTuneEvent.class);
        } catch (JsonProcessingException bad) {
            throw new UnprocessableRecord("not a fine-tuning event: " + bad.getOriginalMessage());
        } catch (IllegalArgumentException bad) {
            throw new UnprocessableRecord("not a fine-tuning event: " + bad.getMessage());
        }
        if (e == null || e.id() == null || e.type() == null || e.jobId() == null || e.tenantId() == null) {
            throw new UnprocessableRecord("a fine-tuning event needs id, type, job_id and tenant_id");
        }
        if (!e.jobId().matches("[A-Za-z0-9_-]{1,100}")) {
            throw new UnprocessableRecord("job_id '" + e.jobId() + "' is not a Meridian job id");
        }
        if (FineTuneEvent.CHECKPOINT.equals(e.type()) && e.checkpoint() == null) {
            throw new UnprocessableRecord("a checkpoint event needs its checkpoint");
        }
        if (FineTuneEvent.SUCCEEDED.equals(e.type()) && e.result() == null) {
            throw new UnprocessableRecord("a succeeded event needs its result");
        }
        if (e.message() == null) {
            throw new UnprocessableRecord("a fine-tuning event needs a message");
        }
        return e;
    }

    /** Data errors (SQLSTATE class 22) and constraint violations (23) come again however often they are retried. */
    private static boolean dataRefused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A success: under the job's row lock, re-checks that the job has not ended (a cancel that committed first wins,
     * and then nothing is registered, deployed or stored), registers the model (the registry's own transactions) and
     * deploys it and marks the job succeeded in this one transaction. A cancel arriving meanwhile waits for the lock
     * and then finds the job succeeded.
     */
    void applySuccess(FineTuneEvent e) {
        QuarkusTransaction.requiringNew().timeout((int) config.registrationTimeout().toSeconds()).run(() -> {
            scope.bindTenant(e.tenantId());
            if (FineTuneJobEvent.findById(e.id()) != null) {
                return; // applied before
            }
            FineTuneJob job = lockJob(e);
            TunedModelRegistration.Outcome registered = null;
            if (job != null && !job.terminal()) {
                registered = register(job, e);
                if (registered.refusal() == null) {
                    registration.deploy(e.tenantId(), registered);
                }
            }
            apply(e, job, registered);
        });
    }

    private FineTuneJob lockJob(FineTuneEvent e) {
        return FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /**
     * After a success the registry holds the tuned model, so the worker's export goes; checked against the job as
     * committed, which also covers a repeated success event after a crash between the transition and the delete.
     */
    private void discardExportOnceRegistered(FineTuneEvent e) {
        String registeredBlobKey = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(e.tenantId());
            FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", e.tenantId(), e.jobId())
                    .firstResult();
            return job != null && FineTuneJob.SUCCEEDED.equals(job.status) ? job.resultBlobKey : null;
        });
        if (registeredBlobKey != null) {
            registration.discardExport(e.tenantId(), e.jobId(), e.result(), registeredBlobKey);
        }
    }

    private TunedModelRegistration.Outcome register(FineTuneJob job, FineTuneEvent e) {
        try {
            return registration.register(e.tenantId(), JobService.modelName(job).toString(), job.baseModel, job.id,
                    e.result());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Applies one event in the current transaction; {@code locked} is the job when the caller has locked it already,
     * {@code registered} the tuned model of a success.
     */
    void apply(FineTuneEvent e, FineTuneJob locked, TunedModelRegistration.Outcome registered) {
        scope.bindTenant(e.tenantId());
        if (locked == null && FineTuneJobEvent.findById(e.id()) != null) {
            return; // applied before
        }
        FineTuneJob job = locked != null ? locked : lockJob(e);
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
                    // the key the job's tenant and id give, not whatever the event says
                    row.blobKey = FineTuneBlobs.checkpoint(job.tenantId, job.id, c.stepNumber());
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
                var files = resultFiles.register(job, result, at);
                job.resultFiles = files.fileIds().isEmpty() ? null : write(files.fileIds());
                if (!files.fileIds().isEmpty()) {
                    jobs.event(UUID.nameUUIDFromBytes((e.id() + ":result-files").getBytes()), job, "info", "message",
                            "Result files: " + String.join(", ", files.fileIds()) + " (GET /v1/files/{id}/content)",
                            Map.of("result_files", files.fileIds()), at.plusNanos(2000));
                }
                for (int i = 0; i < files.refusals().size(); i++) {
                    LOG.warnf("job %s: result file not registered: %s", job.id, files.refusals().get(i));
                    jobs.event(UUID.nameUUIDFromBytes((e.id() + ":result-file-refused:" + i).getBytes()), job,
                            "warn", "message", "A result file was not registered: " + files.refusals().get(i)
                                    + ". The tuned model is not affected.", null, at.plusNanos(3000 + i));
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
}
