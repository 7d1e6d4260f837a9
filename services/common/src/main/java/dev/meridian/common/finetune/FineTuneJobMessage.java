package dev.meridian.common.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job to run, on {@code <region>.finetune.jobs} keyed by job id. Written to the models service's outbox in the same
 * transaction as the queued job. Carries blob keys and sizes, never dataset content. A worker may see the same job
 * more than once (redelivery after a crash): it resumes from the job's last checkpoint.
 *
 * @param id the message id
 * @param hyperparameters resolved values: "auto" is replaced by the models service from the validated dataset
 * @param labels the label names of the training file, in the order the head's outputs take
 * @param fineTunedModel the name the tuned model gets, {@code ft:<base>:<suffix>:<job-id>}
 * @param pii what the worker does with personal data in the examples ({@code dev.meridian.common.pii.PiiMode}'s wire
 *         name): {@code redact} replaces it in every text before anything is embedded, trained or written; absent
 *         (messages written before the field existed) means {@code none}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneJobMessage(
        UUID id,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("tenant_id") UUID tenantId,
        String region,
        @JsonProperty("base_model") String baseModel,
        @JsonProperty("training_file") DatasetRef trainingFile,
        @JsonProperty("validation_file") DatasetRef validationFile,
        Hyperparameters hyperparameters,
        long seed,
        List<String> labels,
        @JsonProperty("fine_tuned_model") String fineTunedModel,
        @JsonProperty("created_at") Instant createdAt,
        String pii) {

    public static final String TYPE = "fine_tuning.job.queued";

    /** A job that keeps its examples as they are ({@code pii} absent). */
    public FineTuneJobMessage(UUID id, String jobId, UUID tenantId, String region, String baseModel,
            DatasetRef trainingFile, DatasetRef validationFile, Hyperparameters hyperparameters, long seed,
            List<String> labels, String fineTunedModel, Instant createdAt) {
        this(id, jobId, tenantId, region, baseModel, trainingFile, validationFile, hyperparameters, seed, labels,
                fineTunedModel, createdAt, null);
    }

    /** A validated JSONL dataset in the blob store. */
    public record DatasetRef(String id, @JsonProperty("blob_key") String blobKey, long bytes, String sha256,
            int examples) {
    }

    public record Hyperparameters(
            @JsonProperty("n_epochs") int nEpochs,
            @JsonProperty("batch_size") int batchSize,
            @JsonProperty("learning_rate_multiplier") double learningRateMultiplier) {
    }
}
