package dev.meridian.models;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import dev.meridian.common.models.GenerationSpec;
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
    /** The hash of what the tenant uploaded (the .onnx file, or the package): the version's content identity. */
    @Column(name = "upload_sha256")
    public String uploadSha256;
    /** {@link GenerationSpec#TASK} for generative versions; null for the tensor models served by OIP v2. */
    public String task;
    /** How inference runs a generative version; null for other versions. */
    @JdbcTypeCode(SqlTypes.JSON)
    public GenerationSpec generation;

    /** The blobs this version owns: its ONNX artifact and, for generative versions, its tokenizer.json. */
    public List<String> blobKeys() {
        return generation == null ? List.of(blobKey) : List.of(blobKey, generation.tokenizerBlobKey());
    }

    public static List<ModelVersion> of(UUID tenantId, UUID modelId) {
        return list("tenantId = ?1 and modelId = ?2 order by version", tenantId, modelId);
    }

    public static Optional<ModelVersion> find(UUID tenantId, UUID modelId, int version) {
        return find("tenantId = ?1 and modelId = ?2 and version = ?3", tenantId, modelId, version)
                .firstResultOptional();
    }

    /** The version whose upload had these bytes ({@link #uploadSha256}). */
    public static Optional<ModelVersion> byUpload(UUID tenantId, UUID modelId, String uploadSha256) {
        return find("tenantId = ?1 and modelId = ?2 and uploadSha256 = ?3", tenantId, modelId, uploadSha256)
                .firstResultOptional();
    }
}
