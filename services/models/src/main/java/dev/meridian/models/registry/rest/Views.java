package dev.meridian.models.registry.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meridian.common.models.BaseModel;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.models.ModelUpload;
import dev.meridian.models.ModelVersion;
import dev.meridian.models.TenantModel;
import java.util.List;

/** The JSON shapes of the registry API (OpenAI-flavoured: {@code object}, {@code created} in epoch seconds). */
public final class Views {

    private Views() {
    }

    /** Base models are released with the platform; their {@code created} is when they entered the catalog. */
    static final long BASE_CREATED = 1767225600L;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /**
     * An OpenAI model object. Base models carry what the catalog knows of them (dimensions, token limit, languages,
     * regions); tenant models carry their versions instead, and generative ones a {@code task} and summary.
     */
    public record ModelView(String id, String object, long created, String ownedBy, String description,
            Integer dimensions, Integer maxTokens, List<String> languages, List<String> regions,
            List<Integer> versions, List<Integer> deployedVersions, String task, GenerationSummary generation) {

        static ModelView base(String id) {
            return BaseModel.CATALOG.stream().filter(m -> m.id().equals(id)).findFirst()
                    .map(m -> new ModelView(id, "model", BASE_CREATED, "meridian", null, m.dimensions(),
                            m.maxTokens(), m.languages(), m.regions().stream().sorted().toList(), null, null, null,
                            null))
                    .orElseGet(() -> new ModelView(id, "model", BASE_CREATED, "meridian", null, null, null, null,
                            null, null, null, null, null));
        }

        /** A tenant model; its {@code task} and {@code generation} are those of its newest version. */
        static ModelView of(TenantModel m, List<ModelVersion> versions) {
            ModelVersion newest = versions.isEmpty() ? null : versions.getLast();
            return new ModelView(m.name, "model", m.createdAt.getEpochSecond(), m.tenantId.toString(), m.description,
                    null, null, null, null, versions.stream().map(v -> v.version).toList(),
                    versions.stream().filter(v -> v.deployed).map(v -> v.version).toList(),
                    newest == null ? null : newest.task, newest == null ? null : GenerationSummary.of(newest.generation));
        }
    }

    /**
     * A model version. {@code sha256} and {@code bytes} are the ONNX artifact's; generative versions (uploaded as a
     * package) add {@code task} {@code text-generation} and a {@code generation} summary, other versions omit both.
     */
    public record VersionView(String id, String object, String model, int version, long created, String sha256,
            long bytes, long irVersion, int opset, String producer, List<ModelVersion.Tensor> inputs,
            List<ModelVersion.Tensor> outputs, boolean deployed, Long deployedAt, DynamicBatching dynamicBatching,
            @JsonInclude(JsonInclude.Include.NON_NULL) String task,
            @JsonInclude(JsonInclude.Include.NON_NULL) GenerationSummary generation) {

        static VersionView of(TenantModel m, ModelVersion v) {
            return new VersionView(m.name + ":" + v.version, "model.version", m.name, v.version,
                    v.createdAt.getEpochSecond(), v.sha256, v.sizeBytes, v.irVersion, v.opset, v.producer, v.inputs,
                    v.outputs, v.deployed, v.deployedAt == null ? null : v.deployedAt.getEpochSecond(),
                    DynamicBatching.of(v), v.task, GenerationSummary.of(v.generation));
        }
    }

    /** What a tenant needs to know of a generative version: how long a conversation may be and how it ends. */
    public record GenerationSummary(int contextLength, List<Integer> eosTokenIds, boolean hasChatTemplate) {
        static GenerationSummary of(GenerationSpec spec) {
            return spec == null ? null
                    : new GenerationSummary(spec.maxContext(), spec.eosTokenIds(), spec.chatTemplate() != null);
        }
    }

    /** A deployment's batching settings; a null field means the inference service's default. */
    public record DynamicBatching(Integer maxBatchSize, Double maxQueueDelayMs) {
        static DynamicBatching of(ModelVersion v) {
            return new DynamicBatching(v.maxBatchSize,
                    v.maxQueueDelayMicros == null ? null : v.maxQueueDelayMicros / 1000.0);
        }
    }

    public record ListView<T>(String object, List<T> data) {
        static <T> ListView<T> of(List<T> data) {
            return new ListView<>("list", data);
        }
    }

    public record Deleted(String id, String object, boolean deleted) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UploadView(String id, String object, long bytes, long createdAt, String filename, String purpose,
            String status, long expiresAt, VersionView modelVersion) {

        static UploadView of(ModelUpload u, VersionView version) {
            return new UploadView(u.id.toString(), "upload", u.bytes, u.createdAt.getEpochSecond(), u.filename,
                    u.purpose, u.status, u.expiresAt.getEpochSecond(), version);
        }
    }

    public record PartView(String id, String object, long createdAt, String uploadId, long bytes) {
    }
}
