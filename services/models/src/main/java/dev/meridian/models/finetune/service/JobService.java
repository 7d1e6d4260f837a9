package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneControl;
import dev.meridian.common.finetune.FineTuneJobMessage;
import dev.meridian.common.finetune.FineTuneModelName;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.pii.PiiMode;
import dev.meridian.common.pii.PiiRedactor;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneCheckpoint;
import dev.meridian.models.finetune.FineTuneFile;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.FineTuneJobEvent;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.finetune.messaging.FineTuneOutbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Fine-tuning jobs: created with their files validated first — queued with an outbox message when the files are good,
 * failed with their first problems named when not — listed, read, cancelled.
 */
@ApplicationScoped
public class JobService {

    private static final int MAX_PROBLEMS_IN_MESSAGE = 20;
    private static final PiiRedactor PII = new PiiRedactor();

    @Inject
    TenantSession scope;
    @Inject
    FileService files;
    @Inject
    FineTuneOutbox outbox;
    @Inject
    FineTuneConfig config;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "meridian.models.region")
    String region;

    /**
     * Creates a job. Its files are found in a short transaction, then read and validated as streams outside any
     * transaction (a large dataset holds no database connection), and the job is inserted with its outcome in one
     * transaction that checks the files are still there: failed with its first problems named, or queued with its
     * outbox message. No job row exists before its outcome, so none is left half-made.
     */
    public FineTuneJob create(UUID tenantId, JobRequest request) {
        if (!config.baseModels().contains(request.model())) {
            throw ApiException.of(400, "model_not_available", "model", "The model '" + request.model()
                    + "' cannot be fine-tuned here; use one of " + String.join(", ", config.baseModels()) + ".");
        }
        FineTuneFile training = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return datasetFile(tenantId, request.trainingFile(), "training_file", false);
        });
        FineTuneFile validation = request.validationFile() == null ? null : QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return datasetFile(tenantId, request.validationFile(), "validation_file", false);
        });

        var validator = new DatasetValidator(new DatasetValidator.Rules(config.dataset().minExamples(),
                config.dataset().minExamplesPerLabel(), config.dataset().maxLabels(), config.dataset().maxTextChars(),
                config.dataset().maxLineBytes()));
        DatasetValidator.Report trainReport = read(training, validator::training);
        DatasetValidator.Report validReport = validation == null || !trainReport.valid() ? null
                : read(validation, in -> validator.validation(in, trainReport.labels()));
        if (request.pii() == PiiMode.REDACT && trainReport.valid()) {
            refuseLabelsWithPersonalData(trainReport.labels());
        }

        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            // locked against a delete of the file committing in between (FileService.delete locks it too)
            datasetFile(tenantId, training.id, "training_file", true);
            if (validation != null) {
                datasetFile(tenantId, validation.id, "validation_file", true);
            }
            return insert(tenantId, request, training, trainReport, validation, validReport);
        });
    }

    /**
     * With {@code pii=redact} the worker redacts the examples' texts, but not their labels: labels are the tuned
     * model's output names, and two labels redacted to the same placeholder would be one class. A label holding
     * personal data is refused (named by its redacted form, so the answer does not repeat the value).
     */
    private static void refuseLabelsWithPersonalData(List<String> labels) {
        for (String label : labels) {
            var redacted = PII.redact(label);
            if (redacted.total() > 0) {
                throw ApiException.of(400, "invalid_training_file", "pii", "The training file's label `"
                        + redacted.text() + "` contains personal data (" + String.join(", ", redacted.counts()
                        .keySet().stream().map(k -> k.wireName()).toList()) + "). With `pii` \"redact\" the"
                        + " examples' texts are redacted, but labels are kept: they name the tuned model's outputs."
                        + " Rename the label, or upload the file with pii=redact, which redacts labels too.");
            }
        }
    }

    private FineTuneJob insert(UUID tenantId, JobRequest request, FineTuneFile training,
            DatasetValidator.Report trainReport, FineTuneFile validation, DatasetValidator.Report validReport) {
        var job = new FineTuneJob();
        job.id = Ids.next("ftjob");
        job.tenantId = tenantId;
        job.baseModel = request.model();
        job.trainingFile = training.id;
        job.validationFile = validation == null ? null : validation.id;
        job.suffix = request.suffix();
        job.seed = request.seed() != null ? request.seed() : new java.security.SecureRandom().nextInt(1 << 30);
        job.requestedHyperparameters = write(request.hyperparameters().view());
        job.metadata = request.metadata() == null ? null : write(request.metadata());
        job.pii = request.pii() == PiiMode.REDACT ? PiiMode.REDACT.wireName() : null;
        job.status = FineTuneJob.VALIDATING_FILES;
        job.createdAt = now();
        job.persist();
        event(job, "info", "message", "Validating training file: " + training.id
                + (validation == null ? "" : " and validation file: " + validation.id), null);

        if (!trainReport.valid()) {
            return fail(job, "invalid_training_file", "training_file", training.id, trainReport);
        }
        if (validReport != null && !validReport.valid()) {
            return fail(job, "invalid_validation_file", "validation_file", validation.id, validReport);
        }
        Hyperparameters resolved = request.hyperparameters().resolve(trainReport.examples());
        job.nEpochs = resolved.nEpochs();
        job.batchSize = resolved.batchSize();
        job.learningRateMultiplier = resolved.learningRateMultiplier();
        job.labels = write(trainReport.labels());
        job.trainingExamples = trainReport.examples();
        job.fineTunedModel = null;
        job.status = FineTuneJob.QUEUED;
        event(job, "info", "message", "Files validated: " + trainReport.examples() + " training examples"
                + (validReport == null ? "" : ", " + validReport.examples() + " validation examples") + ", "
                + trainReport.labelCounts().size() + " labels " + trainReport.labelCounts(), null);
        event(job, "info", "message", "Fine-tuning job queued: " + resolved.nEpochs() + " epochs, batch size "
                + resolved.batchSize() + ", learning rate multiplier " + resolved.learningRateMultiplier(), null);
        var message = new FineTuneJobMessage(UUID.randomUUID(), job.id, tenantId, region, job.baseModel,
                ref(training, trainReport), validation == null ? null : ref(validation, validReport),
                new FineTuneJobMessage.Hyperparameters(resolved.nEpochs(), resolved.batchSize(),
                        resolved.learningRateMultiplier()),
                job.seed, trainReport.labels(), modelName(job).toString(), job.createdAt, job.pii);
        outbox.write(message.id(), FineTuneTopics.jobs(region), job.id, message);
        return job;
    }

    /** The name the tuned model will have; the suffix names it for the tenant, the job id makes it unique. */
    public static FineTuneModelName modelName(FineTuneJob job) {
        return new FineTuneModelName(job.baseModel, job.suffix == null ? "" : job.suffix, job.id);
    }

    private static FineTuneJobMessage.DatasetRef ref(FineTuneFile file, DatasetValidator.Report report) {
        return new FineTuneJobMessage.DatasetRef(file.id, file.blobKey, file.bytes, file.sha256, report.examples());
    }

    private FineTuneFile datasetFile(UUID tenantId, String id, String param, boolean lock) {
        var query = FineTuneFile.<FineTuneFile>find("tenantId = ?1 and id = ?2", tenantId, id);
        FineTuneFile file = (lock ? query.withLock(jakarta.persistence.LockModeType.PESSIMISTIC_READ) : query)
                .firstResult();
        if (file == null) {
            throw ApiException.of(400, "invalid_file", param, "`" + param + "` '" + id + "' is not a file of"
                    + " your organization; upload it with POST /v1/files (purpose=fine-tune) and use its id.");
        }
        if (ResultFiles.PURPOSE.equals(file.purpose)) {
            throw ApiException.of(400, "invalid_file", param, "`" + param + "` '" + id + "' is a result file of a"
                    + " fine-tuning job (purpose fine-tune-results), not a dataset; upload the dataset with POST"
                    + " /v1/files (purpose=fine-tune) and use its id.");
        }
        if (!FileService.PURPOSE.equals(file.purpose)) {
            throw ApiException.of(400, "invalid_file", param, "`" + param + "` '" + id + "' was uploaded"
                    + " with purpose '" + file.purpose + "'; fine-tuning needs purpose=fine-tune.");
        }
        return file;
    }

    private interface Reading {
        DatasetValidator.Report read(InputStream in) throws IOException;
    }

    private DatasetValidator.Report read(FineTuneFile file, Reading reading) {
        try (InputStream in = files.content(file)) {
            return reading.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.id, e);
        }
    }

    private FineTuneJob fail(FineTuneJob job, String code, String param, String fileId,
            DatasetValidator.Report report) {
        job.status = FineTuneJob.FAILED;
        job.errorCode = code;
        job.errorParam = param;
        // a job that asked for redaction keeps no personal data a problem quotes (a label, a JSON parser's excerpt)
        job.errorMessage = redactIfAsked(job, DatasetValidator.summary(param, fileId, report.problems(),
                report.problemCount(), MAX_PROBLEMS_IN_MESSAGE));
        job.finishedAt = now();
        var lines = report.problems().stream().map(p -> {
            var m = new java.util.LinkedHashMap<String, Object>();
            m.put("line", p.line());
            m.put("reason", redactIfAsked(job, p.reason()));
            return m;
        }).toList();
        event(job, "error", "message", job.errorMessage, Map.of("file", fileId, "problems", lines,
                "problem_count", report.problemCount()));
        return job;
    }

    private static String redactIfAsked(FineTuneJob job, String text) {
        return job.pii == null || text == null ? text : PII.redact(text).text();
    }

    @Transactional
    public List<FineTuneJob> list(UUID tenantId, String after, int limit, Map<String, String> metadata) {
        scope.bindTenant(tenantId);
        long afterSeq = after == null ? Long.MAX_VALUE : find(tenantId, after).seq;
        return FineTuneJob.<FineTuneJob>find("tenantId = ?1 and seq < ?2 order by seq desc", tenantId, afterSeq)
                .page(0, limit).list();
    }

    @Transactional
    public FineTuneJob get(UUID tenantId, String id) {
        scope.bindTenant(tenantId);
        return find(tenantId, id);
    }

    FineTuneJob find(UUID tenantId, String id) {
        FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", tenantId, id).firstResult();
        if (job == null) {
            throw JobService.notFound(id);
        }
        return job;
    }

    /**
     * Cancels a job that has not ended: it is cancelled at once here, and the workers hear it through the outbox (a
     * running one stops at its next step; one that has not started it skips it).
     */
    @Transactional
    public FineTuneJob cancel(UUID tenantId, String id) {
        scope.bindTenant(tenantId);
        FineTuneJob job = FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", tenantId, id)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (job == null) {
            throw JobService.notFound(id);
        }
        if (job.terminal()) {
            throw ApiException.of(400, "job_not_cancellable", null, "The job " + id + " has already "
                    + job.status + "; only a job that is validating_files, queued or running can be cancelled.");
        }
        String was = job.status;
        job.status = FineTuneJob.CANCELLED;
        job.finishedAt = now();
        event(job, "info", "message", "Job cancelled (it was " + was + ")", null);
        var control = new FineTuneControl(UUID.randomUUID(), FineTuneControl.CANCEL, job.id, tenantId, now());
        outbox.write(control.id(), FineTuneTopics.control(region), job.id, control);
        return job;
    }

    @Transactional
    public List<FineTuneJobEvent> events(UUID tenantId, String jobId, String after, int limit) {
        scope.bindTenant(tenantId);
        find(tenantId, jobId);
        long afterSeq = Long.MAX_VALUE;
        if (after != null) {
            FineTuneJobEvent a = FineTuneJobEvent.<FineTuneJobEvent>find("tenantId = ?1 and jobId = ?2 and id = ?3",
                    tenantId, jobId, parseUuid(after, "after")).firstResult();
            if (a == null) {
                throw ApiException.of(400, "invalid_cursor", "after", "`after` '" + after + "' is not an"
                        + " event of this job; pass the id of the last event of the previous page.");
            }
            afterSeq = a.seq;
        }
        return FineTuneJobEvent.<FineTuneJobEvent>find("tenantId = ?1 and jobId = ?2 and seq < ?3 order by seq desc",
                tenantId, jobId, afterSeq).page(0, limit).list();
    }

    @Transactional
    public List<FineTuneCheckpoint> checkpoints(UUID tenantId, String jobId, String after, int limit) {
        scope.bindTenant(tenantId);
        find(tenantId, jobId);
        long afterSeq = Long.MAX_VALUE;
        if (after != null) {
            FineTuneCheckpoint a = FineTuneCheckpoint.<FineTuneCheckpoint>find(
                    "tenantId = ?1 and jobId = ?2 and id = ?3", tenantId, jobId, after).firstResult();
            if (a == null) {
                throw ApiException.of(400, "invalid_cursor", "after", "`after` '" + after + "' is not a"
                        + " checkpoint of this job; pass the id of the last checkpoint of the previous page.");
            }
            afterSeq = a.seq;
        }
        return FineTuneCheckpoint.<FineTuneCheckpoint>find(
                "tenantId = ?1 and jobId = ?2 and seq < ?3 order by seq desc", tenantId, jobId, afterSeq)
                .page(0, limit).list();
    }

    private static UUID parseUuid(String s, String param) {
        try {
            return UUID.fromString(s.startsWith("ftevent-") ? s.substring("ftevent-".length()) : s);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(400, "invalid_cursor", param, "`" + param + "` '" + s + "' is not an event"
                    + " id; pass the id of the last event of the previous page.");
        }
    }

    /** Adds a line to the job's event log in the current transaction. */
    public void event(FineTuneJob job, String level, String type, String message, Object data) {
        event(UUID.randomUUID(), job, level, type, message, data, now());
    }

    public void event(UUID id, FineTuneJob job, String level, String type, String message, Object data,
            Instant at) {
        var e = new FineTuneJobEvent();
        e.id = id;
        e.tenantId = job.tenantId;
        e.jobId = job.id;
        e.level = level;
        e.type = type;
        e.message = message;
        e.data = data == null ? null : write(data);
        e.createdAt = at.truncatedTo(ChronoUnit.MICROS);
        e.persist();
    }

    public List<String> labels(FineTuneJob job) {
        if (job.labels == null) {
            return List.of();
        }
        try {
            return json.readValue(job.labels, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** 404 for a job that does not exist in the caller's tenant, as for one of another tenant. */
    public static ApiException notFound(String id) {
        return ApiException.of(404, "fine_tuning_job_not_found", null, "No fine tuning job with id '" + id
                + "' exists in your organization. List yours with GET /v1/fine_tuning/jobs.");
    }
}
