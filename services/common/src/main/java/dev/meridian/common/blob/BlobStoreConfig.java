package dev.meridian.common.blob;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The blob store settings as a configuration group, the same keys under each service's prefix
 * ({@code meridian.models.blobs}, {@code meridian.inference.tenant-models.blobs}, {@code meridian.worker.blobs}), so
 * the services of a region are configured alike and read through {@link #settings}.
 */
public interface BlobStoreConfig {

    /** {@code filesystem} or {@code s3}. */
    @WithDefault("filesystem")
    String store();

    /** The filesystem store's directory; each service names its default. */
    Optional<Path> directory();

    S3 s3();

    /** An S3-compatible bucket, signed with AWS Signature V4 (path-style URLs). */
    interface S3 {
        /** e.g. {@code https://s3.eu-central-1.amazonaws.com} or a MinIO URL. */
        Optional<String> endpoint();

        Optional<String> bucket();

        @WithDefault("us-east-1")
        String signingRegion();

        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();
    }

    /** These settings, read from {@code prefix} (named in errors), with {@code defaultDirectory} when none is set. */
    default BlobStoreSettings settings(String prefix, Path defaultDirectory) {
        var s3 = s3();
        return new BlobStoreSettings(prefix, store(), directory().orElse(defaultDirectory), s3.endpoint(),
                s3.bucket(), s3.signingRegion(), s3.accessKeyId(), s3.secretAccessKey());
    }
}
