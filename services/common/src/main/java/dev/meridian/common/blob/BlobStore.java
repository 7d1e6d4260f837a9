package dev.meridian.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where a region keeps customer artifacts (model files, upload parts). Keys are relative paths of lower-case
 * letters, digits, {@code - _ . /}; a key written once is never rewritten with other bytes (callers address content by
 * hash). Implementations: {@link FileSystemBlobStore} (default) and {@link S3BlobStore} (any S3-compatible service).
 */
public interface BlobStore {

    /** Stores the file's bytes under {@code key}, replacing nothing half-written: readers see all or nothing. */
    void put(String key, Path file) throws IOException;

    /** The bytes under {@code key}; {@link java.nio.file.NoSuchFileException} when there are none. */
    InputStream open(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /** Removes {@code key}; no error when it is already gone. */
    void delete(String key) throws IOException;

    /** Checks a key before it reaches a file system path or URL. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 512 || key.startsWith("/") || key.contains("..")
                || !key.matches("[a-z0-9._/-]+")) {
            throw new IllegalArgumentException("not a valid blob key: " + key);
        }
        return key;
    }
}
