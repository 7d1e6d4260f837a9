package dev.meridian.models.registry.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.blob.S3BlobStore;
import dev.meridian.models.config.ModelsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** The region's blob store, chosen by {@code meridian.models.blobs.store}. */
@ApplicationScoped
public class BlobStores {

    private static final Logger LOG = Logger.getLogger(BlobStores.class);

    @Produces
    @ApplicationScoped
    BlobStore blobStore(ModelsConfig config) throws IOException {
        var blobs = config.blobs();
        if ("s3".equals(blobs.store())) {
            var s3 = blobs.s3();
            LOG.infof("blob store: S3 bucket %s at %s", s3.bucket().orElse("?"), s3.endpoint().orElse("?"));
            return new S3BlobStore(required(s3.endpoint().orElse(null), "endpoint"),
                    required(s3.bucket().orElse(null), "bucket"), s3.signingRegion(),
                    required(s3.accessKeyId().orElse(null), "access-key-id"),
                    required(s3.secretAccessKey().orElse(null), "secret-access-key"));
        }
        if (!"filesystem".equals(blobs.store())) {
            throw new IllegalStateException("meridian.models.blobs.store must be filesystem or s3, not "
                    + blobs.store());
        }
        var store = new FileSystemBlobStore(Path.of(blobs.directory()));
        LOG.infof("blob store: directory %s", store.root());
        return store;
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("meridian.models.blobs.s3." + name + " is required with store=s3");
        }
        return value;
    }
}
