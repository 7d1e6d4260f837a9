package dev.meridian.models.registry.validation;

import dev.meridian.common.error.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A generative model package as uploaded: a ZIP archive of an exporter's output folder, read into a private temporary
 * folder. Commons Compress reads the archive; what is checked here is the registry's policy for tenant archives: no
 * absolute or {@code ..} paths, no links, at most {@link #MAX_ENTRIES} entries, and inflation stopped at the model
 * size cap (so a small archive cannot expand into a huge one). Only the files a package is made of are inflated: the
 * decoder ({@code *.onnx}), {@code tokenizer.json}, {@code tokenizer_config.json}, {@code config.json} and
 * {@code generation_config.json}, at the archive's root or in its one top-level folder; other files are ignored.
 */
public final class ModelPackage implements AutoCloseable {

    /** The most entries an archive may list (an exporter's folder has a dozen). */
    public static final int MAX_ENTRIES = 256;
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    private static final Set<String> CONFIG_FILES = Set.of(TOKENIZER, TOKENIZER_CONFIG, CONFIG, GENERATION_CONFIG);
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final Path dir;
    private final String decoderName;
    private final Map<String, Path> files;

    private ModelPackage(Path dir, String decoderName, Map<String, Path> files) {
        this.dir = dir;
        this.decoderName = decoderName;
        this.files = files;
    }

    /** Whether the file is a ZIP archive (a package) rather than a bare ONNX file: it starts with {@code PK\3\4}. */
    public static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return java.util.Arrays.equals(head, ZIP_MAGIC);
        }
    }

    /**
     * Reads the package's files into a temporary folder ({@link #close()} deletes it).
     *
     * @param maxInflatedBytes the most bytes all inflated files together may have: the model size cap
     * @throws ApiException 400 {@code package} when the archive is unsafe, unreadable or not a package
     */
    public static ModelPackage unpack(Path zip, long maxInflatedBytes) throws IOException {
        Path dir = Files.createTempDirectory("meridian-package-");
        try {
            return unpack(zip, maxInflatedBytes, dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    private static ModelPackage unpack(Path zip, long maxInflatedBytes, Path dir) throws IOException {
        ZipFile archive;
        try {
            archive = ZipFile.builder().setPath(zip).get();
        } catch (IOException e) {
            throw refuse("The upload starts like a ZIP archive but cannot be read as one (" + e.getMessage()
                    + "). Send a .onnx file, or a package made with `zip -r model.zip <folder>`.");
        }
        try (archive) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            for (ZipArchiveEntry e : Collections.list(archive.getEntries())) {
                entries.add(e);
                if (entries.size() > MAX_ENTRIES) {
                    throw refuse("The package lists more than " + MAX_ENTRIES + " entries; a model package holds"
                            + " the decoder, tokenizer.json and its config files. Zip only the exporter's folder.");
                }
            }
            Set<String> names = new HashSet<>();
            List<ZipArchiveEntry> files = new ArrayList<>();
            for (ZipArchiveEntry e : entries) {
                String name = e.getName();
                checkName(name);
                if (e.isUnixSymlink()) {
                    throw refuse("The package entry '" + name + "' is a symbolic link; a package holds regular"
                            + " files only. Zip the files themselves (zip without -y).");
                }
                if (!names.add(name)) {
                    throw refuse("The package lists '" + name + "' twice; each file may appear once.");
                }
                if (!e.isDirectory() && !ignored(name)) {
                    files.add(e);
                }
            }
            String prefix = commonFolder(files);
            Map<String, ZipArchiveEntry> wanted = new LinkedHashMap<>();
            List<String> onnx = new ArrayList<>();
            for (ZipArchiveEntry e : files) {
                String relative = e.getName().substring(prefix.length());
                if (relative.contains("/")) {
                    continue; // files in sub-folders are not part of the package
                }
                if (relative.endsWith(".onnx")) {
                    onnx.add(relative);
                    wanted.put(relative, e);
                } else if (CONFIG_FILES.contains(relative)) {
                    wanted.put(relative, e);
                }
            }
            if (onnx.isEmpty()) {
                throw refuse("The package holds no .onnx file" + (prefix.isEmpty() ? "" : " in '" + prefix + "'")
                        + "; put the decoder (model.onnx) beside tokenizer.json at the package's root or in its one"
                        + " top-level folder.");
            }
            if (onnx.size() > 1) {
                throw refuse("The package holds " + onnx.size() + " .onnx files (" + String.join(", ",
                        onnx.stream().sorted().limit(5).toList()) + "); it must hold exactly one: the decoder"
                        + " with its KV cache (past_key_values inputs). Remove the others, e.g. a decoder without"
                        + " past or an encoder.");
            }
            if (!wanted.containsKey(TOKENIZER)) {
                throw refuse("The package has no tokenizer.json beside " + onnx.getFirst() + "; add the model's"
                        + " Hugging Face tokenizer.json (tokenizer.save_pretrained(folder) writes it).");
            }
            long budget = maxInflatedBytes;
            Map<String, Path> out = new LinkedHashMap<>();
            for (var w : wanted.entrySet()) {
                ZipArchiveEntry e = w.getValue();
                if (!archive.canReadEntryData(e)) {
                    throw refuse("The package entry '" + e.getName() + "' is encrypted or compressed with a method"
                            + " this service cannot read; use zip's default (deflate) without a password.");
                }
                Path target = dir.resolve(w.getKey());
                try (InputStream in = archive.getInputStream(e); OutputStream o = Files.newOutputStream(target)) {
                    budget -= copyAtMost(in, o, budget, e.getName(), maxInflatedBytes);
                }
                out.put(w.getKey(), target);
            }
            return new ModelPackage(dir, onnx.getFirst(), out);
        }
    }

    /** Copies until the end or the budget; a package that inflates past the cap is refused mid-way. */
    private static long copyAtMost(InputStream in, OutputStream out, long budget, String name, long cap)
            throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            copied += n;
            if (copied > budget) {
                throw refuse("The package's files inflate to more than " + cap + " bytes (stopped in '" + name
                        + "'); the size check allows at most " + cap + " bytes per model"
                        + " (meridian.models.registry.max-model-bytes), uncompressed. Shrink the model, e.g. by"
                        + " quantizing.");
            }
            out.write(buffer, 0, n);
        }
        return copied;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
            throw refuse("The package entry '" + printable(name) + "' has an empty name or contains '\\\\'"
                    + " or NUL; use plain relative paths with '/'.");
        }
        if (name.startsWith("/") || DRIVE.matcher(name).matches()) {
            throw refuse("The package entry '" + printable(name) + "' is an absolute path; entries must be"
                    + " relative (zip -r model.zip <folder> from the folder's parent).");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw refuse("The package entry '" + printable(name) + "' climbs out of the package with '..';"
                        + " entries must stay inside it.");
            }
        }
    }

    private static String printable(String name) {
        String shown = name.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 200 ? shown.substring(0, 200) + "…" : shown;
    }

    /** What archivers add beside the files (macOS's resource forks and folder settings). */
    private static boolean ignored(String name) {
        return name.startsWith("__MACOSX/") || name.equals(".DS_Store") || name.endsWith("/.DS_Store");
    }

    /** {@code folder/} when every file lies in one top-level folder (a zipped folder), else the empty prefix. */
    private static String commonFolder(List<ZipArchiveEntry> files) {
        String folder = null;
        for (ZipArchiveEntry e : files) {
            int slash = e.getName().indexOf('/');
            if (slash < 0) {
                return "";
            }
            String first = e.getName().substring(0, slash + 1);
            if (folder == null) {
                folder = first;
            } else if (!folder.equals(first)) {
                return "";
            }
        }
        return folder == null ? "" : folder;
    }

    /** The decoder's file name in the package. */
    public String decoderName() {
        return decoderName;
    }

    public Path decoder() {
        return files.get(decoderName);
    }

    public Path tokenizer() {
        return files.get(TOKENIZER);
    }

    /** One of the package's JSON files ({@link #CONFIG}, ...), when the package has it. */
    public Optional<Path> file(String name) {
        return Optional.ofNullable(files.get(name));
    }

    @Override
    public void close() {
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary folder; the OS's temp cleaning takes what is left
        }
    }

    private static ApiException refuse(String message) {
        return ModelValidator.refuse(400, "package", message);
    }
}
