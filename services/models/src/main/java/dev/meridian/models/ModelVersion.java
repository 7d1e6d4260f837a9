package dev.meridian.models;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One immutable, content-addressed version of a tenant model: the artifact's sha256 and size, where it lies in the
 * region's blob store, and what validation read from it. Only {@code deployed} changes after creation.
 */
@Entity
@Table(name = "model_versions")
public class ModelVersion extends PanacheEntityBase {

    /** A declared input or output as stored: name, OIP datatype, shape with -1 for dynamic dimensions. */
    public record Tensor(String name, String datatype, List<Long> shape) {
    }

    @Id
    public UUID id;
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "model_id")
    public UUID modelId;
    public int version;
    public String sha256;
    @Column(name = "size_bytes")
    public long sizeBytes;
    @Column(name = "blob_key")
    public String blobKey;
    @Column(name = "ir_version")
    public long irVersion;
    public int opset;
    public String producer;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Tensor> inputs;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Tensor> outputs;
    public boolean deployed;
    @Column(name = "deployed_at")
    public Instant deployedAt;
    /** Dynamic batching of this deployment, as the tenant set it; null: the inference service's defaults. */
    @Column(name = "max_batch_size")
    public Integer maxBatchSize;
    @Column(name = "max_queue_delay_us")
    public Integer maxQueueDelayMicros;
    @Column(name = "created_at")
    public Instant createdAt;

    public static List<ModelVersion> of(UUID tenantId, UUID modelId) {
        return list("tenantId = ?1 and modelId = ?2 order by version", tenantId, modelId);
    }

    public static Optional<ModelVersion> find(UUID tenantId, UUID modelId, int version) {
        return find("tenantId = ?1 and modelId = ?2 and version = ?3", tenantId, modelId, version)
                .firstResultOptional();
    }

    public static Optional<ModelVersion> bySha(UUID tenantId, UUID modelId, String sha256) {
        return find("tenantId = ?1 and modelId = ?2 and sha256 = ?3", tenantId, modelId, sha256)
                .firstResultOptional();
    }
}
