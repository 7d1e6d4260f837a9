package dev.meridian.models.finetune;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Generated;

/** A stored training checkpoint of a job ({@code fine_tuning.job.checkpoint}); at most one per step. */
@Entity
@Table(name = "finetune_checkpoints")
public class FineTuneCheckpoint extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "job_id")
    public String jobId;
    @Column(name = "step_number")
    public int stepNumber;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String metrics;
    @Column(name = "blob_key")
    public String blobKey;
    @Column(name = "fine_tuned_model_checkpoint")
    public String fineTunedModelCheckpoint;
    @Column(name = "created_at")
    public Instant createdAt;
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;
}
