package dev.meridian.models.finetune.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneFile;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.config.FineTuneConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A succeeded job's result files (its per-epoch metrics as CSV, its evaluation report as JSON), which the worker wrote
 * to the job's results folder: registered as the tenant's files of purpose {@value #PURPOSE}, listed by
 * {@code GET /v1/files} and served by {@code GET /v1/files/{id}/content} like any file of the tenant, but never
 * usable as a training or validation file. Each is read from the key the job's tenant and id give
 * ({@link FineTuneBlobs#resultFile}), whatever the event names, and registered only when its size and SHA-256 are
 * those the worker reported.
 */
@ApplicationScoped
public class ResultFiles {

    public static final String PURPOSE = "fine-tune-results";
    /** The result files a worker writes, by name: the metrics first, as OpenAI's jobs list them. */
    public static final List<String> NAMES = List.of("metrics.csv", "evaluation.json");

    private static final Logger LOG = Logger.getLogger(ResultFiles.class);

    /** The files registered, in the event's order, and why any other was not. */
    public record Registered(List<String> fileIds, List<String> refusals) {
    }

    @Inject
    BlobStore blobs;
    @Inject
    FineTuneConfig config;
    @Inject
    TenantSession scope;

    /**
     * Registers the result files of {@code job}, which the caller is marking succeeded in its transaction (under the
     * job's row lock, once per job), so they commit with the job's success or not at all.
     */
    public Registered register(FineTuneJob job, FineTuneEvent.Result result, Instant at) {
        List<String> ids = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        if (result == null || result.resultFiles() == null) {
            return new Registered(ids, refusals);
        }
        Set<String> seen = new LinkedHashSet<>();
        for (var reported : result.resultFiles()) {
            Check check = check(job, reported, seen);
            if (check.refusal() != null) {
                refusals.add(check.refusal());
                continue;
            }
            var file = new FineTuneFile();
            file.id = Ids.next("file");
            file.tenantId = job.tenantId;
            file.filename = job.id + "-" + reported.name();
            file.purpose = PURPOSE;
            file.bytes = reported.bytes();
            file.lines = check.lines();
            file.sha256 = reported.sha256();
            file.blobKey = FineTuneBlobs.resultFile(job.tenantId, job.id, reported.name());
            file.createdAt = at.truncatedTo(ChronoUnit.MICROS);
            file.persist();
            ids.add(file.id);
        }
        return new Registered(List.copyOf(ids), List.copyOf(refusals));
    }

    /** Why a reported result file is not registered ({@code null} when it is the one in the store), and its lines. */
    private record Check(String refusal, int lines) {
        static Check refused(String why) {
            return new Check(why, 0);
        }
    }

    private Check check(FineTuneJob job, FineTuneEvent.ResultFile reported, Set<String> seen) {
        if (reported == null || reported.name() == null || !NAMES.contains(reported.name())) {
            return Check.refused("the worker reported an unknown result file "
                    + (reported == null ? null : reported.name()));
        }
        if (!seen.add(reported.name())) {
            return Check.refused("the worker reported the result file " + reported.name() + " twice");
        }
        String key = FineTuneBlobs.resultFile(job.tenantId, job.id, reported.name());
        if (!key.equals(reported.blobKey())) {
            return Check.refused("the worker reported the result file " + reported.name() + " at "
                    + reported.blobKey() + ", not at the job's own key " + key);
        }
        if (reported.bytes() > config.maxFileBytes()) {
            return Check.refused("the result file " + reported.name() + " has " + reported.bytes()
                    + " bytes, over the limit of " + config.maxFileBytes());
        }
        try (InputStream in = blobs.open(key)) {
            var digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[8192];
            long size = 0;
            int lines = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                size += n;
                for (int i = 0; i < n; i++) {
                    lines += buffer[i] == '\n' ? 1 : 0;
                }
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            if (size != reported.bytes() || !sha.equals(reported.sha256())) {
                return Check.refused("the result file " + reported.name() + " in the store (" + size
                        + " bytes, SHA-256 " + sha + ") is not the one the worker reported (" + reported.bytes()
                        + " bytes, SHA-256 " + reported.sha256() + ")");
            }
            return new Check(null, lines);
        } catch (NoSuchFileException | IllegalArgumentException e) {
            return Check.refused("the result file " + key + " is not in the blob store");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the result file " + key, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes the worker's result files that are no file of the tenant once the success event has been applied: those
     * of a job that had ended before (a cancel won), whose model the registry refused, or that failed the checks
     * above. Idempotent, so a repeated success event may call it again; a failure to delete is logged.
     */
    public void discardUnregistered(UUID tenantId, String jobId) {
        for (String name : NAMES) {
            String key = FineTuneBlobs.resultFile(tenantId, jobId, name);
            boolean registered = QuarkusTransaction.requiringNew().call(() -> {
                scope.bindTenant(tenantId);
                return FineTuneFile.count("tenantId = ?1 and blobKey = ?2", tenantId, key) > 0;
            });
            if (registered) {
                continue;
            }
            try {
                blobs.delete(key);
            } catch (IOException e) {
                LOG.warnf("job %s: cannot delete its unregistered result file %s (%s); it stays in the store",
                        jobId, key, e.toString());
            }
        }
    }
}
