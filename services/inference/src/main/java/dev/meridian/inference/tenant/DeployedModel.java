package dev.meridian.inference.tenant;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A tenant model's deployed versions as the registry reports them (its internal {@code .../deployed} answer). */
public record DeployedModel(UUID tenantId, String model, List<Version> versions) {

    /** A declared input or output: name, OIP datatype, shape with -1 for dynamic dimensions (null: undeclared). */
    public record Tensor(String name, String datatype, List<Long> shape) {
    }

    /** A deployed version; {@code maxBatchSize} and {@code maxQueueDelayUs} are null where the tenant set none. */
    public record Version(int version, String sha256, long sizeBytes, String blobKey, List<Tensor> inputs,
            List<Tensor> outputs, Integer maxBatchSize, Integer maxQueueDelayUs) {
    }

    /** The version asked for, or the newest deployed one when none is named. */
    public Optional<Version> version(Optional<String> wanted) {
        if (wanted.isEmpty()) {
            return versions.stream().max(java.util.Comparator.comparingInt(Version::version));
        }
        return versions.stream().filter(v -> String.valueOf(v.version()).equals(wanted.get())).findFirst();
    }
}
