package dev.meridian.common.blob;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a service reaches its region's blob store, whatever its own configuration keys are called: {@code store}
 * {@code filesystem} (files under {@code directory}) or {@code s3} (a bucket of an S3-compatible service). The models
 * service, the inference service and the fine-tuning workers of a region must name the same store.
 *
 * @param prefix the configuration prefix these settings were read from, named in errors
 *         ({@code meridian.models.blobs})
 */
public record BlobStoreSettings(String prefix, String store, Path directory, Optional<String> s3Endpoint,
        Optional<String> s3Bucket, String s3SigningRegion, Optional<String> s3AccessKeyId,
        Optional<String> s3SecretAccessKey) {

    /** A file-system store under {@code directory}. */
    public static BlobStoreSettings directory(String prefix, Path directory) {
        return new BlobStoreSettings(prefix, "filesystem", directory, Optional.empty(), Optional.empty(), "us-east-1",
                Optional.empty(), Optional.empty());
    }

    /** Opens the configured store; a setting that is missing or wrong is named in the exception. */
    public BlobStore open() throws IOException {
        if ("s3".equals(store)) {
            return new S3BlobStore(required(s3Endpoint, "s3.endpoint"), required(s3Bucket, "s3.bucket"),
                    s3SigningRegion, required(s3AccessKeyId, "s3.access-key-id"),
                    required(s3SecretAccessKey, "s3.secret-access-key"));
        }
        if (!"filesystem".equals(store)) {
            throw new IllegalStateException(prefix + ".store must be filesystem or s3, not " + store);
        }
        return new FileSystemBlobStore(directory);
    }

    /** Where the store is, for a log line (never the credentials). */
    public String describe() {
        return "s3".equals(store) ? "S3 bucket " + s3Bucket.orElse("?") + " at " + s3Endpoint.orElse("?")
                : "directory " + directory.toAbsolutePath().normalize();
    }

    private String required(Optional<String> value, String name) {
        if (value.isEmpty() || value.get().isBlank()) {
            throw new IllegalStateException(prefix + "." + name + " is required with " + prefix + ".store=s3");
        }
        return value.get();
    }
}
