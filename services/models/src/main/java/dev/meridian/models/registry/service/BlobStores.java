package dev.meridian.models.registry.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.blob.BlobStoreSettings;
import dev.meridian.models.config.ModelsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The region's one blob store, chosen by {@code meridian.models.blobs.store}: the registry's artifacts and upload
 * parts and fine-tuning's datasets, checkpoints and tuned models all live in it.
 */
@ApplicationScoped
public class BlobStores {

    private static final Logger LOG = Logger.getLogger(BlobStores.class);

    @Produces
    @ApplicationScoped
    BlobStore blobStore(ModelsConfig config) throws IOException {
        var settings = config.blobs().settings("meridian.models.blobs", Path.of(".platform/blobs/" + config.region()));
        BlobStore store = settings.open();
        LOG.infof("blob store: %s", settings.describe());
        return store;
    }
}
