package dev.meridian.models.finetune;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.hibernate.annotations.Generated;

/** An uploaded JSONL file (OpenAI's file object); its content is in the region's blob store under {@code blobKey}. */
@Entity
@Table(name = "finetune_files")
public class FineTuneFile extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String filename;
    public String purpose;
    public long bytes;
    public int lines;
    public String sha256;
    @Column(name = "blob_key")
    public String blobKey;
    /** {@code redact} when the file was stored with its personal data replaced; null when stored as sent. */
    public String pii;
    /** With {@link #pii}: how many values of each kind were replaced, by kind ({@code email}, {@code phone}...). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "pii_redactions")
    public Map<String, Integer> piiRedactions;
    @Column(name = "created_at")
    public Instant createdAt;
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;
}
