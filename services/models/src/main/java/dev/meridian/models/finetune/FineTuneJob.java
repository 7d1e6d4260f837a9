package dev.meridian.models.finetune;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Generated;

/** A fine-tuning job and where it stands; JSON columns hold what is shown back to the tenant as given. */
@Entity
@Table(name = "finetune_jobs")
public class FineTuneJob extends PanacheEntityBase {

    public static final String VALIDATING_FILES = "validating_files";
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final Set<String> TERMINAL = Set.of(SUCCEEDED, FAILED, CANCELLED);

    @Id
    public String id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "base_model")
    public String baseModel;
    @Column(name = "training_file")
    public String trainingFile;
    @Column(name = "validation_file")
    public String validationFile;
    public String suffix;
    public long seed;
    @Column(name = "requested_hyperparameters", columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String requestedHyperparameters;
    @Column(name = "n_epochs")
    public Integer nEpochs;
    @Column(name = "batch_size")
    public Integer batchSize;
    @Column(name = "learning_rate_multiplier")
    public Double learningRateMultiplier;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String metadata;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String labels;
    @Column(name = "training_examples")
    public Integer trainingExamples;
    public String status;
    @Column(name = "error_code")
    public String errorCode;
    @Column(name = "error_message")
    public String errorMessage;
    @Column(name = "error_param")
    public String errorParam;
    @Column(name = "fine_tuned_model")
    public String fineTunedModel;
    @Column(name = "trained_tokens")
    public Long trainedTokens;
    @Column(name = "result_blob_key")
    public String resultBlobKey;
    @Column(name = "result_sha256")
    public String resultSha256;
    @Column(name = "result_bytes")
    public Long resultBytes;
    /** The ids of the job's result files (files of purpose {@code fine-tune-results}) as a JSON array, or null. */
    @Column(name = "result_files", columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String resultFiles;
    /**
     * {@code redact} when the job asked for its examples' personal data to be replaced before the worker uses them
     * ({@code "pii": "redact"}); null when it uses them as uploaded.
     */
    public String pii;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;

    public boolean terminal() {
        return TERMINAL.contains(status);
    }
}
