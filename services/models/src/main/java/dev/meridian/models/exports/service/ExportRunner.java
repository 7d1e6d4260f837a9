package dev.meridian.models.exports.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.exports.TenantExport;
import dev.meridian.models.exports.config.ExportsConfig;
import dev.meridian.models.exports.controlplane.ControlPlane;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Builds exports, one at a time per replica: finds a queued export (or a running one whose lease ran out because
 * its replica died), claims it, writes the tenant's data into a ZIP in a local temporary file as a stream, stores it in
 * the region's blob store and marks the export succeeded. Progress (phase, items done of total) is recorded as it
 * goes, which also renews the lease; an attempt that finds its lease taken over stops. A failed or interrupted attempt
 * is tried again from the start, at most {@code max-attempts} times.
 */
@ApplicationScoped
public class ExportRunner {

    private static final Logger LOG = Logger.getLogger(ExportRunner.class);
    /** Progress is written at most this often within a phase (each phase change is written at once). */
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;
    /** Members, API keys, audit events (tenancy); hourly usage, invoices (billing). */
    static final int CONTROL_PLANE_ENTRIES = 5;

    @Inject
    ExportService exports;
    @Inject
    TenantRecords records;
    @Inject
    ControlPlane controlPlane;
    @Inject
    BlobStore blobs;
    @Inject
    ModelsConfig models;
    @Inject
    ExportsConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /** The attempt lost its export to another replica (its lease ran out): it stops without touching the row. */
    static final class TakenOver extends RuntimeException {
        TakenOver(String exportId) {
            super("export " + exportId + " was taken over by another attempt");
        }
    }

    @Scheduled(identity = "tenant-export-runner", every = "{meridian.models.exports.poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        try {
            runDue();
        } catch (RuntimeException e) {
            LOG.warnf("looking for exports to run failed (%s); trying again in %s", e.toString(),
                    config.pollInterval());
        }
    }

    /** Runs the exports due now, one after the other; answers how many it ran (to success or not). */
    public int runDue() {
        int ran = 0;
        for (ExportService.Due due : exports.due(clock.instant(), 10)) {
            Optional<Integer> attempt = exports.claim(due, clock.instant());
            if (attempt.isPresent()) {
                run(due, attempt.get());
                ran++;
            }
        }
        return ran;
    }

    private void run(ExportService.Due due, int attempt) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("meridian-export-", ".zip");
            int items = build(due, attempt, tmp);
            progress(due, attempt, "storing", items, items);
            String key = TenantExport.archiveKey(due.tenantId(), due.exportId(), attempt);
            blobs.put(key, tmp);
            if (!exports.succeeded(due, attempt, key, Files.size(tmp), sha256(tmp), items)) {
                blobs.delete(key); // the export is another attempt's now, or was withdrawn: keep nothing of this one
                throw new TakenOver(due.exportId());
            }
            LOG.infof("export %s of tenant %s: %d items, %d bytes", due.exportId(), due.tenantId(), items,
                    Files.size(tmp));
        } catch (TakenOver e) {
            LOG.infof("%s; this attempt (%d) stops", e.getMessage(), attempt);
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "export %s of tenant %s, attempt %d, failed", due.exportId(), due.tenantId(), attempt);
            exports.attemptFailed(due, attempt, "the archive could not be built: " + e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warnf("cannot delete the temporary archive %s: %s", tmp, e.toString());
                }
            }
        }
    }

    /** Writes the archive; answers the number of items (entries besides the manifest). */
    private int build(ExportService.Due due, int attempt, Path file) throws IOException {
        var files = records.files(due.tenantId());
        var versions = records.modelVersions(due.tenantId());
        var tokenizers = records.tokenizers(due.tenantId());
        long tokenizerCount = versions.stream().filter(v -> tokenizers.containsKey(v.id())).count();
        int total = TenantRecords.ORDER.size() + files.size() + versions.size() + (int) tokenizerCount
                + CONTROL_PLANE_ENTRIES;
        var progress = new Progress(due, attempt, total);
        try (var archive = new ArchiveWriter(file)) {
            for (String table : TenantRecords.ORDER) {
                progress.phase(phaseOf(table));
                archive.add(TenantRecords.TABLES.get(table), out -> records.writeRows(due.tenantId(), table, out));
                progress.item();
                if (table.equals("finetune_files")) {
                    for (var f : files) {
                        try (InputStream in = blobs.open(f.blobKey())) {
                            archive.copy("files/content/" + f.id() + ".jsonl", in);
                        }
                        progress.item();
                    }
                }
                if (table.equals("model_versions")) {
                    for (var v : versions) {
                        try (InputStream in = blobs.open(v.blobKey())) {
                            archive.copy("models/artifacts/" + v.id() + ".onnx", in);
                        }
                        progress.item();
                        // a generative version's tokenizer.json, beside its decoder
                        String tokenizer = tokenizers.get(v.id());
                        if (tokenizer != null) {
                            try (InputStream in = blobs.open(tokenizer)) {
                                archive.copy("models/artifacts/" + v.id() + ".tokenizer.json", in);
                            }
                            progress.item();
                        }
                    }
                }
            }
            // the control plane's records of the tenant: metadata and usage figures only
            var t = due.tenantId();
            progress.phase("members_and_keys");
            archive.add("control-plane/members.jsonl", out -> controlPlane.members(t, out));
            progress.item();
            archive.add("control-plane/api-keys.jsonl", out -> controlPlane.apiKeys(t, out));
            progress.item();
            progress.phase("audit");
            archive.add("control-plane/audit-events.jsonl", out -> controlPlane.auditEvents(t, out));
            progress.item();
            progress.phase("billing");
            archive.add("billing/usage-hourly.jsonl", out -> controlPlane.usageHourly(t, out));
            progress.item();
            archive.add("billing/invoices.jsonl", out -> controlPlane.invoices(t, out));
            progress.item();
            var header = new LinkedHashMap<String, Object>();
            header.put("export_id", due.exportId());
            header.put("tenant_id", due.tenantId().toString());
            header.put("region", models.region());
            header.put("created_at", clock.instant().toString());
            archive.finish(header, json);
        }
        return total;
    }

    private static String phaseOf(String table) {
        return switch (table) {
            case "finetune_files" -> "files";
            case "tenant_models", "model_versions" -> "models";
            default -> "fine_tuning";
        };
    }

    private void progress(ExportService.Due due, int attempt, String phase, int done, int total) {
        if (!exports.progress(due, attempt, phase, done, total)) {
            throw new TakenOver(due.exportId());
        }
    }

    /** Counts items and writes progress at phase changes and at most every half second between. */
    private final class Progress {
        private final ExportService.Due due;
        private final int attempt;
        private final int total;
        private String phase = "planning";
        private int done;
        private long written = System.nanoTime();

        Progress(ExportService.Due due, int attempt, int total) {
            this.due = due;
            this.attempt = attempt;
            this.total = total;
            write();
        }

        void phase(String next) {
            if (!next.equals(phase)) {
                phase = next;
                write();
            }
        }

        void item() {
            done++;
            if (System.nanoTime() - written >= PROGRESS_EVERY_NANOS) {
                write();
            }
        }

        private void write() {
            progress(due, attempt, phase, done, total);
            written = System.nanoTime();
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            var digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
