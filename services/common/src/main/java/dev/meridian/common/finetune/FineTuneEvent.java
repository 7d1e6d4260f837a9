package dev.meridian.common.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a worker reports about a job, on {@code <region>.finetune.events} keyed by job id. The models service applies
 * each event once (by {@code id}): a worker that redoes work after a crash sends events with the same ids for the
 * same step, and the later of two terminal events is ignored.
 *
 * @param type one of {@link #RUNNING}, {@link #METRICS}, {@link #CHECKPOINT}, {@link #SUCCEEDED}, {@link #FAILED},
 *         {@link #CANCELLED}, {@link #MESSAGE}
 * @param step the optimizer step the event is about (metrics, checkpoint)
 * @param metrics e.g. {@code train_loss}, {@code valid_loss}, {@code valid_accuracy}
 * @param checkpoint the checkpoint stored (type {@code checkpoint})
 * @param result the exported model (type {@code succeeded})
 * @param error why the job failed (type {@code failed})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneEvent(
        UUID id,
        String type,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("tenant_id") UUID tenantId,
        String level,
        String message,
        Integer step,
        Integer epoch,
        Map<String, Double> metrics,
        Checkpoint checkpoint,
        Result result,
        Error error,
        String worker,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String RUNNING = "running";
    public static final String METRICS = "metrics";
    public static final String CHECKPOINT = "checkpoint";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final String MESSAGE = "message";

    public record Checkpoint(@JsonProperty("step_number") int stepNumber, @JsonProperty("blob_key") String blobKey,
            Map<String, Double> metrics) {
    }

    /**
     * The exported model of a succeeded job, and its result files.
     *
     * @param resultFiles the files the worker wrote beside the model (per-epoch metrics, the evaluation report), in
     *         the order the job lists them; absent in events of workers that wrote none
     */
    public record Result(@JsonProperty("blob_key") String blobKey, long bytes, String sha256, List<String> labels,
            @JsonProperty("trained_examples") long trainedExamples, int epochs, Map<String, Double> metrics,
            @JsonProperty("result_files") @JsonInclude(JsonInclude.Include.NON_NULL) List<ResultFile> resultFiles) {

        /** A result without result files, as workers before them reported it. */
        public Result(String blobKey, long bytes, String sha256, List<String> labels, long trainedExamples, int epochs,
                Map<String, Double> metrics) {
            this(blobKey, bytes, sha256, labels, trainedExamples, epochs, metrics, null);
        }
    }

    /**
     * A result file in the region's blob store ({@link FineTuneBlobs#resultFile}): metadata only, never its content.
     *
     * @param name the file's name in the job's results folder, e.g. {@code metrics.csv}
     * @param contentType e.g. {@code text/csv}, {@code application/json}
     */
    public record ResultFile(String name, @JsonProperty("blob_key") String blobKey, long bytes, String sha256,
            @JsonProperty("content_type") String contentType) {
    }

    public record Error(String code, String message) {
    }
}
