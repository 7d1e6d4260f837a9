package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.models.finetune.FineTuneFile;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.finetune.rest.FineTuneException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Tenant files for fine-tuning: JSONL only, stored in the region's blob store, metadata in PostgreSQL. */
@ApplicationScoped
public class FileService {

    public static final String PURPOSE = "fine-tune";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TenantScope scope;
    @Inject
    BlobStore blobs;
    @Inject
    FineTuneConfig config;

    /**
     * Checks that the upload is a JSONL file (every non-empty line a JSON value, UTF-8) and stores it. The dataset's
     * own rules (fields, labels, duplicates) are checked when a job uses it, where all of its problems are reported.
     */
    @Transactional
    public FineTuneFile upload(UUID tenantId, String filename, String purpose, Path content) {
        if (purpose == null || purpose.isBlank()) {
            throw FineTuneException.badRequest("missing_required_parameter", "purpose",
                    "Missing form field `purpose`; send purpose=fine-tune.");
        }
        if (!PURPOSE.equals(purpose)) {
            throw FineTuneException.badRequest("invalid_purpose", "purpose", "`purpose` '" + purpose
                    + "' is not supported here; this service takes purpose=fine-tune.");
        }
        if (filename == null || !filename.toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl")) {
            throw FineTuneException.badRequest("invalid_file_format", "file", "The file '" + filename + "' is not"
                    + " JSONL: fine-tuning takes a .jsonl file with one JSON object per line.");
        }
        long bytes;
        try {
            bytes = Files.size(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes == 0) {
            throw FineTuneException.badRequest("invalid_file_format", "file", "The file '" + filename
                    + "' is empty; send a JSONL file with one example per line.");
        }
        if (bytes > config.maxFileBytes()) {
            throw new FineTuneException(413, "file_too_large", "file", "The file has " + bytes + " bytes; the limit"
                    + " is " + config.maxFileBytes() + ". Split the dataset or remove examples.");
        }
        var file = new FineTuneFile();
        file.id = Ids.next("file");
        file.tenantId = tenantId;
        file.filename = filename.length() > 255 ? filename.substring(filename.length() - 255) : filename;
        file.purpose = purpose;
        file.bytes = bytes;
        file.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        file.blobKey = FineTuneBlobs.file(tenantId, file.id);
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            file.lines = jsonLines(new DigestInputStream(Files.newInputStream(content), digest), filename);
            file.sha256 = HexFormat.of().formatHex(digest.digest());
            blobs.put(file.blobKey, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store file " + file.id, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        scope.bind(tenantId);
        file.persist();
        return file;
    }

    /** Counts the lines, refusing the file with every line that is not JSON (up to 20 named). */
    private static int jsonLines(InputStream in, String filename) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        List<String> bad = new ArrayList<>();
        int badCount = 0;
        int n = 0;
        try (var reader = new BufferedReader(new java.io.InputStreamReader(in, decoder))) {
            String line;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    badCount++;
                    if (bad.size() < 20) {
                        bad.add("line " + n + ": " + e.getOriginalMessage());
                    }
                }
            }
        } catch (CharacterCodingException e) {
            throw FineTuneException.badRequest("invalid_file_format", "file", "The file '" + filename
                    + "' is not UTF-8 text (around line " + (n + 1) + "); save it as UTF-8 JSONL.");
        }
        if (badCount > 0) {
            throw FineTuneException.badRequest("invalid_file_format", "file", "The file '" + filename + "' is not"
                    + " JSONL: " + badCount + " line" + (badCount == 1 ? " is" : "s are") + " not JSON ("
                    + String.join("; ", bad) + (badCount > bad.size() ? "; ..." : "") + ").");
        }
        return n;
    }

    @Transactional
    public List<FineTuneFile> list(UUID tenantId, String purpose, int limit, String after) {
        scope.bind(tenantId);
        long afterSeq = after == null ? Long.MAX_VALUE : find(tenantId, after).seq;
        return FineTuneFile.<FineTuneFile>find("tenantId = ?1 and seq < ?2" + (purpose == null ? ""
                        : " and purpose = ?3") + " order by seq desc",
                purpose == null ? new Object[] {tenantId, afterSeq} : new Object[] {tenantId, afterSeq, purpose})
                .page(0, limit).list();
    }

    @Transactional
    public FineTuneFile get(UUID tenantId, String id) {
        scope.bind(tenantId);
        return find(tenantId, id);
    }

    private FineTuneFile find(UUID tenantId, String id) {
        FineTuneFile file = FineTuneFile.<FineTuneFile>find("tenantId = ?1 and id = ?2", tenantId, id).firstResult();
        if (file == null) {
            throw FineTuneException.notFound("file", id);
        }
        return file;
    }

    public InputStream content(FineTuneFile file) {
        try {
            return blobs.open(file.blobKey);
        } catch (IOException e) {
            throw new UncheckedIOException("content of " + file.id + " is missing from the blob store", e);
        }
    }

    /** Deletes a file no unfinished job uses; its content goes with it. */
    @Transactional
    public void delete(UUID tenantId, String id) {
        scope.bind(tenantId);
        FineTuneFile file = find(tenantId, id);
        long using = FineTuneJob.count("tenantId = ?1 and (trainingFile = ?2 or validationFile = ?2)"
                + " and status in ?3", tenantId, id, List.of(FineTuneJob.VALIDATING_FILES, FineTuneJob.QUEUED,
                FineTuneJob.RUNNING));
        if (using > 0) {
            throw new FineTuneException(409, "file_in_use", "file_id", "The file " + id + " is used by " + using
                    + " unfinished fine-tuning job(s); cancel them or wait until they end, then delete it.");
        }
        file.delete();
        try {
            blobs.delete(file.blobKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
