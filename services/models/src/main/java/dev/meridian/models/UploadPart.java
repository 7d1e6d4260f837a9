package dev.meridian.models;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One part of a resumable upload, kept in the blob store until the upload completes, is cancelled or expires. */
@Entity
@Table(name = "model_upload_parts")
public class UploadPart extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "upload_id")
    public UUID uploadId;
    public long bytes;
    @Column(name = "blob_key")
    public String blobKey;
    @Column(name = "created_at")
    public Instant createdAt;

    public static List<UploadPart> of(UUID tenantId, UUID uploadId) {
        return list("tenantId = ?1 and uploadId = ?2 order by createdAt", tenantId, uploadId);
    }
}
