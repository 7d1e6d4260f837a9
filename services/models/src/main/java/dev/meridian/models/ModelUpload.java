package dev.meridian.models;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A resumable upload ({@code /v1/uploads}): parts arrive one by one, and completing it registers a version. */
@Entity
@Table(name = "model_uploads")
public class ModelUpload extends PanacheEntityBase {

    public static final String PENDING = "pending";
    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";
    public static final String EXPIRED = "expired";

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String filename;
    public long bytes;
    @Column(name = "mime_type")
    public String mimeType;
    public String purpose;
    public String status;
    @Column(name = "version_id")
    public UUID versionId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;

    public static Optional<ModelUpload> find(UUID tenantId, UUID id) {
        return find("tenantId = ?1 and id = ?2", tenantId, id).firstResultOptional();
    }
}
