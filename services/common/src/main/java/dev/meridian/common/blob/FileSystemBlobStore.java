package dev.meridian.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Blobs as files under one directory. A put copies to a temporary file in the target directory and renames it into
 * place atomically, so a reader never sees a partial file and a crash leaves at most a stray {@code .tmp-*} file.
 */
public final class FileSystemBlobStore implements BlobStore {

    private final Path root;

    public FileSystemBlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        return root.resolve(BlobStore.checkKey(key));
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        // half-written temporary files of put() are not keys
        return files(prefix).stream().filter(key -> !key.substring(key.lastIndexOf('/') + 1).startsWith(".tmp-"))
                .toList();
    }

    /** Deletes the temporary files of interrupted writes too, and the directories the prefix leaves empty. */
    @Override
    public int deleteAll(String prefix) throws IOException {
        List<String> files = files(prefix);
        int keys = 0;
        for (String file : files) {
            Files.deleteIfExists(root.resolve(file));
            keys += file.substring(file.lastIndexOf('/') + 1).startsWith(".tmp-") ? 0 : 1;
        }
        Path dir = directoryOf(prefix);
        if (prefix.endsWith("/") && Files.isDirectory(dir)) {
            try (Stream<Path> tree = Files.walk(dir)) {
                for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (Files.isDirectory(p)) {
                        try (Stream<Path> left = Files.list(p)) {
                            if (left.findAny().isEmpty()) {
                                Files.delete(p);
                            }
                        }
                    }
                }
            }
        }
        return keys;
    }

    /** The relative paths of every file whose path starts with {@code prefix}. */
    private List<String> files(String prefix) throws IOException {
        Path base = directoryOf(prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(base)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> root.relativize(f).toString().replace(java.io.File.separatorChar, '/'))
                    .filter(key -> key.startsWith(prefix)).toList();
        }
    }

    /** The deepest directory the prefix names in full; files below it are matched on their whole path. */
    private Path directoryOf(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.startsWith("/") || prefix.contains("..")
                || !prefix.matches("[a-z0-9._/-]+")) {
            throw new IllegalArgumentException("not a valid blob key prefix: " + prefix);
        }
        int slash = prefix.lastIndexOf('/');
        return slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    }
}
