package dev.meridian.models.exports;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/**
 * An export of a tenant's data: asked for by an owner, built by a job of the home region's models service into one
 * archive in the region's blob store ({@code blobKey}), downloadable until {@code expiresAt}.
 */
@Entity
@Table(name = "tenant_exports")
public class TenantExport extends PanacheEntityBase {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";

    @Id
    public String id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    public String status;
    public String phase;
    @Column(name = "items_done")
    public int itemsDone;
    @Column(name = "items_total")
    public int itemsTotal;
    /** The membership id of the owner who asked. */
    @Column(name = "created_by")
    public String createdBy;
    public int attempts;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "error_message")
    public String errorMessage;
    @Column(name = "blob_key")
    public String blobKey;
    @Column(name = "archive_bytes")
    public Long archiveBytes;
    @Column(name = "archive_sha256")
    public String archiveSha256;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;

    /**
     * Where attempt {@code attempt} of {@code exportId} stores its archive in the tenant's home-region blob store: one
     * key per attempt, so an attempt that lost its export to another can delete what it stored without touching the
     * other's.
     */
    public static String archiveKey(UUID tenantId, String exportId, int attempt) {
        return "tenants/" + tenantId + "/exports/" + exportId + "-" + attempt + ".zip";
    }
}
