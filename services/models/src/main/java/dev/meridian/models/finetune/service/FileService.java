package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.pii.PiiKind;
import dev.meridian.common.pii.PiiMode;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneFile;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.config.FineTuneConfig;
import dev.meridian.models.finetune.pii.JsonlRedaction;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.UUID;

/** Tenant files for fine-tuning: JSONL only, stored in the region's blob store, metadata in PostgreSQL. */
@ApplicationScoped
public class FileService {

    public static final String PURPOSE = "fine-tune";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TenantSession scope;
    @Inject
    BlobStore blobs;
    @Inject
    FineTuneConfig config;

    /**
     * Checks that the upload is a JSONL file (UTF-8, every line one JSON object of at most
     * {@code dataset.max-line-bytes}) and stores it. The dataset's own rules (fields, labels, duplicates) are checked
     * when a job uses it. The file is read as a stream and stored before the one short transaction that records it, so
     * no database connection waits on a large upload; should that transaction fail, the stored bytes are removed.
     * <p>
     * With {@code pii} {@code "redact"} the personal data in the dataset's string values (e-mail addresses,
     * phone numbers, card numbers, IBANs, mainland-China resident IDs, IP addresses) is replaced by typed placeholders
     * before anything is stored, and the file records how many of each were replaced. The bytes as sent are read from
     * the request's temporary upload file only, which Quarkus deletes when the request ends; what is stored, hashed
     * and counted is the redacted copy.
     */
    public FineTuneFile upload(UUID tenantId, String filename, String purpose, String pii, Path content) {
        boolean redact = piiMode(pii);
        if (purpose == null || purpose.isBlank()) {
            throw ApiException.of(400, "missing_required_parameter", "purpose",
                    "Missing form field `purpose`; send purpose=fine-tune.");
        }
        if (!PURPOSE.equals(purpose)) {
            throw ApiException.of(400, "invalid_purpose", "purpose", "`purpose` '" + purpose
                    + "' is not supported here; this service takes purpose=fine-tune.");
        }
        if (filename == null || !filename.toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl")) {
            throw ApiException.of(400, "invalid_file_format", "file", "The file '" + filename + "' is not"
                    + " JSONL: fine-tuning takes a .jsonl file with one JSON object per line.");
        }
        long bytes;
        try {
            bytes = Files.size(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes == 0) {
            throw ApiException.of(400, "invalid_file_format", "file", "The file '" + filename
                    + "' is empty; send a JSONL file with one example per line.");
        }
        if (bytes > config.maxFileBytes()) {
            throw ApiException.of(413, "file_too_large", "file", "The file has " + bytes + " bytes; the limit"
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
        Path redacted = null;
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(content), digest)) {
                file.lines = jsonObjectLines(in, filename, config.dataset().maxLineBytes());
            }
            Path stored = content;
            if (redact) {
                redacted = Files.createTempFile(content.getParent(), "redacted-", ".jsonl");
                digest.reset();
                Map<PiiKind, Integer> counts;
                try (InputStream in = Files.newInputStream(content);
                        var out = new DigestOutputStream(Files.newOutputStream(redacted), digest)) {
                    counts = new JsonlRedaction().copy(in, out, config.dataset().maxLineBytes());
                }
                file.pii = "redact";
                file.piiRedactions = new TreeMap<>();
                counts.forEach((kind, n) -> file.piiRedactions.put(kind.wireName(), n));
                file.bytes = Files.size(redacted);
                stored = redacted;
            }
            file.sha256 = HexFormat.of().formatHex(digest.digest());
            blobs.put(file.blobKey, stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store file " + file.id, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (redacted != null) {
                try {
                    Files.deleteIfExists(redacted);
                } catch (IOException e) {
                    // the uploads folder is temporary; the redacted copy is already in the blob store or refused
                }
            }
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                scope.bindTenant(tenantId);
                file.persist();
            });
        } catch (RuntimeException e) {
            try {
                blobs.delete(file.blobKey);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return file;
    }

    /** {@code pii} of an upload: absent or {@code none} stores the file as sent, {@code redact} redacts it. */
    static boolean piiMode(String pii) {
        return PiiMode.of(pii).orElseThrow(() -> ApiException.of(400, "invalid_value", "pii", "`pii` '" + pii
                + "' is not supported: send pii=redact to replace e-mail addresses, phone numbers, card numbers, IBANs,"
                + " resident ID numbers and IP addresses with placeholders before the file is stored, or leave it out"
                + " to store the file as sent.")) == PiiMode.REDACT;
    }

    /** Bad lines named in the refusal of an upload; the others are counted. */
    static final int MAX_BAD_LINES_NAMED = 20;

    /**
     * Counts the lines, refusing the file (400) when any line is not one JSON object: empty, not JSON, another JSON
     * value, longer than {@code maxLineBytes} or not UTF-8. The refusal names the first
     * {@value #MAX_BAD_LINES_NAMED} such lines with why and counts all of them.
     */
    static int jsonObjectLines(InputStream in, String filename, int maxLineBytes) throws IOException {
        List<String> bad = new ArrayList<>();
        long badCount = 0;
        int n = 0;
        try (var reader = new JsonlReader(in, maxLineBytes)) {
            for (JsonlReader.Line line; (line = reader.next()) != null; ) {
                n = line.number();
                String problem = line.problem() != null ? line.problem() : objectProblem(line.text());
                if (problem != null) {
                    badCount++;
                    if (bad.size() < MAX_BAD_LINES_NAMED) {
                        bad.add("line " + line.number() + ": " + problem);
                    }
                }
            }
        }
        if (badCount > 0) {
            throw ApiException.of(400, "invalid_file_format", "file", "The file '" + filename + "' is not"
                    + " JSONL: " + badCount + " line" + (badCount == 1 ? " is" : "s are") + " not one JSON object ("
                    + String.join("; ", bad) + (badCount > bad.size() ? "; and " + (badCount - bad.size()) + " more"
                    : "") + "). Write one JSON object per line, {\"text\": \"...\", \"label\": \"...\"}, with"
                    + " no empty lines.");
        }
        return n;
    }

    private static String objectProblem(String line) {
        if (line.isBlank()) {
            return "empty line";
        }
        try {
            var node = JSON.readTree(line);
            return node != null && node.isObject() ? null : "not a JSON object";
        } catch (JsonProcessingException e) {
            return "not valid JSON (" + e.getOriginalMessage() + ")";
        }
    }

    @Transactional
    public List<FineTuneFile> list(UUID tenantId, String purpose, int limit, String after) {
        scope.bindTenant(tenantId);
        long afterSeq = after == null ? Long.MAX_VALUE : find(tenantId, after).seq;
        return FineTuneFile.<FineTuneFile>find("tenantId = ?1 and seq < ?2" + (purpose == null ? ""
                        : " and purpose = ?3") + " order by seq desc",
                purpose == null ? new Object[] {tenantId, afterSeq} : new Object[] {tenantId, afterSeq, purpose})
                .page(0, limit).list();
    }

    @Transactional
    public FineTuneFile get(UUID tenantId, String id) {
        scope.bindTenant(tenantId);
        return find(tenantId, id);
    }

    private FineTuneFile find(UUID tenantId, String id) {
        FineTuneFile file = FineTuneFile.<FineTuneFile>find("tenantId = ?1 and id = ?2", tenantId, id).firstResult();
        if (file == null) {
            throw FileService.notFound(id);
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

    /**
     * Deletes a file no unfinished job uses; its content goes with it. The file's row is locked first, so a job
     * being created with it (which locks it too before inserting) either commits before the check here or sees the
     * file gone.
     */
    @Transactional
    public void delete(UUID tenantId, String id) {
        scope.bindTenant(tenantId);
        FineTuneFile file = FineTuneFile.<FineTuneFile>find("tenantId = ?1 and id = ?2", tenantId, id)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (file == null) {
            throw FileService.notFound(id);
        }
        long using = FineTuneJob.count("tenantId = ?1 and (trainingFile = ?2 or validationFile = ?2)"
                + " and status in ?3", tenantId, id, List.of(FineTuneJob.VALIDATING_FILES, FineTuneJob.QUEUED,
                FineTuneJob.RUNNING));
        if (using > 0) {
            throw ApiException.of(409, "file_in_use", "file_id", "The file " + id + " is used by " + using
                    + " unfinished fine-tuning job(s); cancel them or wait until they end, then delete it.");
        }
        file.delete();
        try {
            blobs.delete(file.blobKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 404 for a file that does not exist in the caller's tenant, as for one of another tenant. */
    public static ApiException notFound(String id) {
        return ApiException.of(404, "file_not_found", null, "No file with id '" + id + "' exists in your"
                + " organization. List yours with GET /v1/files.");
    }
}
