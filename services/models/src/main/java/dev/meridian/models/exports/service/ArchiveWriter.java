package dev.meridian.models.exports.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes an export's ZIP archive to a local file as a stream (no entry is held in memory), counting the bytes and the
 * SHA-256 of every entry as written, so that {@link #finish} can put a {@code manifest.json} of them at the root.
 */
public final class ArchiveWriter implements Closeable {

    public static final String MANIFEST = "manifest.json";
    public static final String FORMAT = "meridian-tenant-export/1";

    /** One entry of the manifest: path in the archive, uncompressed bytes, SHA-256 hex, records (JSON Lines only). */
    public record Entry(String path, long bytes, String sha256, Integer count) {
    }

    /** Writes one entry's bytes. */
    @FunctionalInterface
    public interface Body {
        /** Writes the entry to {@code out} and answers how many records it holds (null for a plain file). */
        Integer writeTo(OutputStream out) throws IOException;
    }

    private final ZipOutputStream zip;
    private final List<Entry> entries = new ArrayList<>();

    public ArchiveWriter(Path file) throws IOException {
        this.zip = new ZipOutputStream(Files.newOutputStream(file));
    }

    /** Adds an entry written by {@code body}. */
    public Entry add(String path, Body body) throws IOException {
        if (path.equals(MANIFEST)) {
            throw new IllegalArgumentException(MANIFEST + " is written by finish()");
        }
        zip.putNextEntry(new ZipEntry(path));
        var counted = new Counted(zip);
        Integer count = body.writeTo(counted);
        zip.closeEntry();
        var entry = new Entry(path, counted.bytes, HexFormat.of().formatHex(counted.digest.digest()), count);
        entries.add(entry);
        return entry;
    }

    /** Adds an entry holding {@code in}'s bytes. */
    public Entry copy(String path, InputStream in) throws IOException {
        return add(path, out -> {
            in.transferTo(out);
            return null;
        });
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Writes {@code manifest.json}: {@code header}'s fields, then {@code entries}; closes the archive. */
    public void finish(Map<String, Object> header, ObjectMapper json) throws IOException {
        var manifest = new LinkedHashMap<String, Object>(header);
        manifest.put("format", FORMAT);
        manifest.put("entries", entries.stream().map(e -> {
            var m = new LinkedHashMap<String, Object>();
            m.put("path", e.path());
            m.put("bytes", e.bytes());
            m.put("sha256", e.sha256());
            if (e.count() != null) {
                m.put("count", e.count());
            }
            return m;
        }).toList());
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.close();
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    /** Counts and hashes what passes; closing it closes nothing (the ZIP entry is closed by the writer). */
    private static final class Counted extends FilterOutputStream {
        final MessageDigest digest;
        long bytes;

        Counted(OutputStream out) {
            super(out);
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            bytes += len;
        }

        @Override
        public void close() {
            // the entry stays open for the writer to close
        }
    }
}
