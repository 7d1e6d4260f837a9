package dev.meridian.models.registry.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.ModelUpload;
import dev.meridian.models.UploadPart;
import dev.meridian.models.config.ModelsConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Resumable uploads in OpenAI's shape: create with the expected size, add parts (each stored as a blob), complete
 * with the part order and a model name — which assembles the file and registers it like a one-request upload —
 * or cancel. Pending uploads past their expiry are swept with their parts.
 */
@ApplicationScoped
public class Uploads {

    private static final Logger LOG = Logger.getLogger(Uploads.class);

    /** The completed upload and the version it became. */
    public record Completed(ModelUpload upload, ModelRegistry.Registered registered) {
    }

    @Inject
    ModelsConfig config;
    @Inject
    ModelRegistry registry;
    @Inject
    BlobStore blobs;
    @Inject
    TenantSession scope;
    @Inject
    EntityManager em;

    private ScheduledExecutorService sweeper;

    void start(@Observes StartupEvent event) {
        long every = config.registry().uploads().sweepInterval().toMillis();
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("upload-sweeper")
                .daemon().unstarted(r));
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    public ModelUpload create(UUID tenantId, String filename, Long bytes, String mimeType, String purpose) {
        if (filename == null || filename.isBlank() || filename.length() > 255) {
            throw ApiException.of(400, "invalid_value", "filename", "`filename` is required (1-255"
                    + " characters), e.g. \"model.onnx\".");
        }
        if (!"model".equals(purpose)) {
            throw ApiException.of(400, "invalid_value", "purpose", "`purpose` must be \"model\" on this"
                    + " service (got " + (purpose == null ? "none" : "\"" + purpose + "\"") + ").");
        }
        if (bytes == null || bytes <= 0) {
            throw ApiException.of(400, "invalid_value", "bytes", "`bytes` must be the file's size in bytes,"
                    + " greater than 0.");
        }
        long cap = config.registry().maxModelBytes();
        if (bytes > cap) {
            throw ApiException.of(413, "size", "bytes", "The upload declares " + bytes + " bytes; the size"
                    + " check allows at most " + cap + " bytes per model file.");
        }
        var u = new ModelUpload();
        u.id = UUID.randomUUID();
        u.tenantId = tenantId;
        u.filename = filename;
        u.bytes = bytes;
        u.mimeType = mimeType == null || mimeType.isBlank() ? "application/octet-stream" : mimeType;
        u.purpose = purpose;
        u.status = ModelUpload.PENDING;
        u.createdAt = ModelRegistry.now();
        u.expiresAt = u.createdAt.plus(config.registry().uploads().expiry());
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenantId);
            u.persist();
        });
        return u;
    }

    public UploadPart addPart(UUID tenantId, String uploadId, Path data) throws IOException {
        long size = Files.size(data);
        if (size == 0) {
            throw ApiException.of(400, "invalid_value", "data", "The part is empty; send its bytes as"
                    + " multipart field `data`.");
        }
        if (size > config.registry().uploads().maxPartBytes()) {
            throw ApiException.of(413, "size", "data", "A part may have at most "
                    + config.registry().uploads().maxPartBytes() + " bytes; this one has " + size + ".");
        }
        UUID id = parseId(uploadId);
        var part = new UploadPart();
        part.id = UUID.randomUUID();
        part.tenantId = tenantId;
        part.uploadId = id;
        part.bytes = size;
        part.blobKey = "tenants/" + tenantId + "/uploads/" + id + "/" + part.id;
        // Checked before the blob is written, and again with the row locked: parts of one upload may race.
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenantId);
            checkRoom(pending(tenantId, id), tenantId, size);
        });
        blobs.put(part.blobKey, data);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                scope.bindTenant(tenantId);
                ModelUpload u = em.find(ModelUpload.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                checkRoom(pendingOf(u, uploadId), tenantId, size);
                part.createdAt = ModelRegistry.now();
                part.persist();
            });
        } catch (RuntimeException e) {
            registry.deleteBlob(part.blobKey);
            throw e;
        }
        return part;
    }

    private void checkRoom(ModelUpload u, UUID tenantId, long size) {
        long have = UploadPart.of(tenantId, u.id).stream().mapToLong(p -> p.bytes).sum();
        if (have + size > u.bytes) {
            throw ApiException.of(400, "too_many_bytes", "data", "This part would bring the upload to "
                    + (have + size) + " bytes, more than the " + u.bytes + " it was created with.");
        }
    }

    public Completed complete(UUID tenantId, String uploadId, List<String> partIds, String name, String description)
            throws IOException, InterruptedException {
        registry.checkName(name);
        if (partIds == null || partIds.isEmpty()) {
            throw ApiException.of(400, "missing_parameter", "part_ids", "`part_ids` must list the upload's"
                    + " part ids in the order their bytes belong.");
        }
        UUID id = parseId(uploadId);
        List<UploadPart> ordered = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            ModelUpload u = pending(tenantId, id);
            Map<String, UploadPart> parts = new HashMap<>();
            UploadPart.of(tenantId, u.id).forEach(p -> parts.put(p.id.toString(), p));
            List<UploadPart> out = new ArrayList<>();
            for (String p : partIds) {
                UploadPart part = parts.get(p);
                if (part == null) {
                    throw ApiException.of(400, "invalid_value", "part_ids", "Part '" + p + "' is not a part"
                            + " of upload " + uploadId + ".");
                }
                out.add(part);
            }
            if (new HashSet<>(partIds).size() != partIds.size() || out.size() != parts.size()) {
                throw ApiException.of(400, "invalid_value", "part_ids", "`part_ids` must name each of the"
                        + " upload's " + parts.size() + " parts exactly once.");
            }
            long total = out.stream().mapToLong(p -> p.bytes).sum();
            if (total != u.bytes) {
                throw ApiException.of(400, "incomplete_upload", "part_ids", "The parts hold " + total
                        + " bytes, but the upload was created for " + u.bytes + "; add the missing parts.");
            }
            return out;
        });
        Path assembled = Files.createTempFile("meridian-upload-", ".onnx");
        try {
            try (OutputStream out = Files.newOutputStream(assembled)) {
                for (UploadPart p : ordered) {
                    try (InputStream in = blobs.open(p.blobKey)) {
                        in.transferTo(out);
                    }
                }
            }
            var registered = registry.register(tenantId, name, description, assembled);
            ModelUpload done = QuarkusTransaction.requiringNew().call(() -> {
                scope.bindTenant(tenantId);
                ModelUpload u = pending(tenantId, id);
                u.status = ModelUpload.COMPLETED;
                u.versionId = registered.version().id;
                UploadPart.delete("tenantId = ?1 and uploadId = ?2", tenantId, id);
                return u;
            });
            ordered.forEach(p -> registry.deleteBlob(p.blobKey));
            return new Completed(done, registered);
        } finally {
            Files.deleteIfExists(assembled);
        }
    }

    public ModelUpload cancel(UUID tenantId, String uploadId) {
        UUID id = parseId(uploadId);
        return end(tenantId, id, ModelUpload.CANCELLED);
    }

    private ModelUpload end(UUID tenantId, UUID id, String status) {
        List<String> keys = new ArrayList<>();
        ModelUpload u = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            ModelUpload upload = status.equals(ModelUpload.EXPIRED)
                    ? ModelUpload.find(tenantId, id).orElse(null) : pending(tenantId, id);
            if (upload == null || !ModelUpload.PENDING.equals(upload.status)) {
                return upload;
            }
            upload.status = status;
            UploadPart.of(tenantId, id).forEach(p -> keys.add(p.blobKey));
            UploadPart.delete("tenantId = ?1 and uploadId = ?2", tenantId, id);
            return upload;
        });
        keys.forEach(registry::deleteBlob);
        return u;
    }

    /** Expires pending uploads past their time, deleting their parts; returns how many it expired. */
    public int sweep() {
        @SuppressWarnings("unchecked")
        List<Object[]> due = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select upload_id, tenant_id from expired_model_uploads(:now, 100)")
                .setParameter("now", Instant.now()).getResultList());
        for (Object[] row : due) {
            end((UUID) row[1], (UUID) row[0], ModelUpload.EXPIRED);
        }
        return due.size();
    }

    private void sweepQuietly() {
        try {
            int n = sweep();
            if (n > 0) {
                LOG.infof("expired %d abandoned uploads", n);
            }
        } catch (RuntimeException e) {
            LOG.warnf("upload sweep failed (%s); retried at the next interval", e.getMessage());
        }
    }

    public ModelUpload get(UUID tenantId, String uploadId) {
        UUID id = parseId(uploadId);
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return ModelUpload.find(tenantId, id).orElseThrow(() -> notFound(uploadId));
        });
    }

    private ModelUpload pending(UUID tenantId, UUID id) {
        return pendingOf(ModelUpload.find(tenantId, id).orElse(null), id.toString());
    }

    private ModelUpload pendingOf(ModelUpload u, String uploadId) {
        if (u == null) {
            throw notFound(uploadId);
        }
        if (ModelUpload.PENDING.equals(u.status) && u.expiresAt.isBefore(Instant.now())) {
            throw ApiException.of(409, "upload_expired", null, "Upload " + uploadId + " expired at "
                    + u.expiresAt + "; start a new one with POST /v1/uploads.");
        }
        if (!ModelUpload.PENDING.equals(u.status)) {
            throw ApiException.of(409, "upload_" + u.status, null, "Upload " + uploadId + " is " + u.status
                    + "; it takes no more parts. Start a new one with POST /v1/uploads.");
        }
        return u;
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound(id);
        }
    }

    private static ApiException notFound(String id) {
        return ApiException.of(404, "upload_not_found", "upload_id", "No upload '" + id + "' exists for"
                + " your organization.");
    }
}
