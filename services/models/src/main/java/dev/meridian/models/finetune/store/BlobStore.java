package dev.meridian.models.finetune.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The region's store of tenant content (datasets, checkpoints, tuned models), by key
 * ({@link dev.meridian.common.finetune.FineTuneBlobs}). Fine-tuning's own small interface until the model registry's
 * blob store is merged; both keep content in the tenant's home region.
 */
public interface BlobStore {

    /** Stores the file's bytes under {@code key}, replacing what was there; the write is atomic. */
    void put(String key, Path source) throws IOException;

    InputStream open(String key) throws IOException;

    boolean exists(String key);

    void delete(String key) throws IOException;
}
