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

/** One line of a job's event log ({@code fine_tuning.job.event}). */
@Entity
@Table(name = "finetune_job_events")
public class FineTuneJobEvent extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "job_id")
    public String jobId;
    public String level;
    /** {@code message} or {@code metrics}, as OpenAI types events. */
    public String type;
    public String message;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String data;
    @Column(name = "created_at")
    public Instant createdAt;
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;
}
