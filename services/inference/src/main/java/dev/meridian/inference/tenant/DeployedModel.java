package dev.meridian.inference.tenant;

import dev.meridian.common.models.GenerationSpec;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A tenant model's deployed versions as the registry reports them (its internal {@code .../deployed} answer). */
public record DeployedModel(UUID tenantId, String model, List<Version> versions) {

    /** A declared input or output: name, OIP datatype, shape with -1 for dynamic dimensions (null: undeclared). */
    public record Tensor(String name, String datatype, List<Long> shape) {
    }

    /**
     * A deployed version; {@code maxBatchSize} and {@code maxQueueDelayUs} are null where the tenant set none.
     * {@code task} is {@link GenerationSpec#TASK} for a generative model (a decoder with a KV cache, served by
     * {@code /v1/chat/completions} and {@code /v1/completions}), whose {@code generation} says how to run it; both are
     * null for other models.
     */
    public record Version(int version, String sha256, long sizeBytes, String blobKey, List<Tensor> inputs,
            List<Tensor> outputs, Integer maxBatchSize, Integer maxQueueDelayUs, String task,
            GenerationSpec generation) {

        public boolean generative() {
            return GenerationSpec.TASK.equals(task) && generation != null;
        }
    }

    /** The version asked for, or the newest deployed one when none is named. */
    public Optional<Version> version(Optional<String> wanted) {
        if (wanted.isEmpty()) {
            return versions.stream().max(java.util.Comparator.comparingInt(Version::version));
        }
        return versions.stream().filter(v -> String.valueOf(v.version()).equals(wanted.get())).findFirst();
    }
}
