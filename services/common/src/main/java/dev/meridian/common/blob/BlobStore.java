package dev.meridian.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a region keeps customer content: model artifacts, upload parts, fine-tuning datasets, checkpoints and tuned
 * models. Keys are relative paths of lower-case letters, digits, {@code - _ . /}; a key written again gets the same
 * bytes (registry keys address content; fine-tuning redoes deterministic work). Implementations:
 * {@link FileSystemBlobStore} (default) and {@link S3BlobStore} (any S3-compatible service); {@link BlobStoreSettings}
 * opens the one a service is configured for.
 */
public interface BlobStore {

    /** Stores the file's bytes under {@code key}, replacing nothing half-written: readers see all or nothing. */
    void put(String key, Path file) throws IOException;

    /** The bytes under {@code key}; {@link java.nio.file.NoSuchFileException} when there are none. */
    InputStream open(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /** Removes {@code key}; no error when it is already gone. */
    void delete(String key) throws IOException;

    /**
     * Every key that starts with {@code prefix} (a key prefix such as {@code tenants/<id>/}), in no set order; an
     * empty list when there are none.
     */
    java.util.List<String> list(String prefix) throws IOException;

    /**
     * Removes every key under {@code prefix} and returns how many there were: how a tenant's content leaves a region
     * when the tenant is erased. Keys written under the prefix while it runs may remain; callers stop writers first.
     */
    default int deleteAll(String prefix) throws IOException {
        java.util.List<String> keys = list(prefix);
        for (String key : keys) {
            delete(key);
        }
        return keys.size();
    }

    /** Stores {@code data} under {@code key}, all or nothing like {@link #put(String, Path)}. */
    default void put(String key, byte[] data) throws IOException {
        Path tmp = Files.createTempFile("meridian-blob-", ".tmp");
        try {
            Files.write(tmp, data);
            put(key, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** All bytes under {@code key}; {@link NoSuchFileException} when there are none. */
    default byte[] read(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    /** All bytes under {@code key}, or empty when there are none. */
    default Optional<byte[]> readIfPresent(String key) throws IOException {
        try {
            return Optional.of(read(key));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Checks a key before it reaches a file system path or URL. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 512 || key.startsWith("/") || key.contains("..")
                || !key.matches("[a-z0-9._/-]+")) {
            throw new IllegalArgumentException("not a valid blob key: " + key);
        }
        return key;
    }
}
