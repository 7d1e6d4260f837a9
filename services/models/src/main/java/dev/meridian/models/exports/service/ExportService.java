package dev.meridian.models.exports.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.exports.TenantExport;
import dev.meridian.models.exports.config.ExportsConfig;
import dev.meridian.models.finetune.service.Ids;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The export rows of a tenant: requesting, reading, the download check, and the expiry of archives. Every call names
 * the tenant and runs under its row-level security binding; only the two scans of migration V40 span tenants, and they
 * return ids alone.
 */
@ApplicationScoped
public class ExportService {

    private static final Logger LOG = Logger.getLogger(ExportService.class);
    public static final int MAX_LIST = 100;

    /** Which tenant an export of a cross-tenant scan belongs to. */
    public record Due(String exportId, UUID tenantId) {
    }

    @Inject
    EntityManager em;
    @Inject
    TenantSession scope;
    @Inject
    ExportsConfig config;
    @Inject
    BlobStore blobs;
    @Inject
    Clock clock;

    /** Queues a new export; 409 while the tenant already has {@code max-open-per-tenant} queued or running. */
    public TenantExport request(UUID tenantId, String requestedBy) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            // one request at a time per tenant decides, so two concurrent ones cannot both pass the check below
            em.createNativeQuery("select pg_advisory_xact_lock(hashtextextended(?1, 17))")
                    .setParameter(1, "tenant-export:" + tenantId).getSingleResult();
            long open = TenantExport.count("tenantId = ?1 and status in (?2, ?3)", tenantId, TenantExport.QUEUED,
                    TenantExport.RUNNING);
            if (open >= config.maxOpenPerTenant()) {
                throw ApiException.conflict("This tenant already has an export queued or running. Wait until it"
                        + " has finished (GET /api/v1/tenants/" + tenantId + "/exports shows its progress), then ask"
                        + " again.");
            }
            var e = new TenantExport();
            e.id = Ids.next("export");
            e.tenantId = tenantId;
            e.status = TenantExport.QUEUED;
            e.phase = TenantExport.QUEUED;
            e.createdBy = requestedBy;
            e.createdAt = clock.instant();
            e.persist();
            return e;
        });
    }

    /** Removes an export just requested whose request could not be audited, so nothing of it remains. */
    public void discard(UUID tenantId, String exportId) {
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenantId);
            TenantExport.delete("tenantId = ?1 and id = ?2", tenantId, exportId);
        });
    }

    /** The tenant's exports, newest first. */
    public List<TenantExport> list(UUID tenantId, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return TenantExport.<TenantExport>find("tenantId = ?1 order by seq desc", tenantId).page(0, limit).list();
        });
    }

    /** The tenant's export, or 404 (also for another tenant's id: RLS and the tenant parameter both hide it). */
    public TenantExport get(UUID tenantId, String exportId) {
        return find(tenantId, exportId).orElseThrow(() -> notFound(exportId));
    }

    public Optional<TenantExport> find(UUID tenantId, String exportId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return TenantExport.<TenantExport>find("tenantId = ?1 and id = ?2", tenantId, exportId)
                    .firstResultOptional();
        });
    }

    /**
     * The export whose archive a link with {@code expires} and {@code signature} may download at {@code now}; else
     * the refusal: 404 unknown, 410 expired (the export or the link), 409 not finished, 403 a link not signed here.
     */
    public TenantExport downloadable(UUID tenantId, String exportId, String expires, String signature,
            DownloadLinks links, Instant now) {
        TenantExport e = get(tenantId, exportId);
        if (TenantExport.EXPIRED.equals(e.status) || e.expiresAt != null && !now.isBefore(e.expiresAt)) {
            throw ApiException.of(410, "export_expired", null, "Export " + exportId + " expired at " + e.expiresAt
                    + " and its archive has been deleted. Ask for a new export with POST /api/v1/tenants/" + tenantId
                    + "/exports.");
        }
        if (!TenantExport.SUCCEEDED.equals(e.status)) {
            throw ApiException.of(409, "export_not_ready", null, "Export " + exportId + " is " + e.status
                    + (TenantExport.FAILED.equals(e.status) ? " (" + e.errorMessage + "); ask for a new one"
                            : " (" + e.phase + ", " + e.itemsDone + " of " + e.itemsTotal + " items); download it"
                                    + " once GET /api/v1/tenants/" + tenantId + "/exports/" + exportId
                                    + " shows a download_url"));
        }
        long at;
        try {
            at = Long.parseLong(expires == null ? "" : expires.strip());
        } catch (NumberFormatException bad) {
            throw ApiException.of(403, "invalid_download_link", "expires", "The download link is incomplete or"
                    + " altered: use the download_url of GET /api/v1/tenants/" + tenantId + "/exports/" + exportId
                    + " as it is.");
        }
        if (!links.signed(tenantId, exportId, at, signature)) {
            throw ApiException.of(403, "invalid_download_link", "signature", "The download link's signature does not"
                    + " match: use the download_url of GET /api/v1/tenants/" + tenantId + "/exports/" + exportId
                    + " as it is.");
        }
        if (!now.isBefore(Instant.ofEpochSecond(at))) {
            throw ApiException.of(410, "download_link_expired", null, "This download link expired at "
                    + Instant.ofEpochSecond(at) + ". GET /api/v1/tenants/" + tenantId + "/exports/" + exportId
                    + " gives a current one while the export is kept.");
        }
        return e;
    }

    /** Exports to run at {@code now}, across tenants (ids only). */
    @SuppressWarnings("unchecked")
    public List<Due> due(Instant now, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> ((List<Object[]>) em.createNativeQuery(
                        "select export_id, tenant_id from due_tenant_exports(?1, ?2)")
                .setParameter(1, now.atOffset(ZoneOffset.UTC)).setParameter(2, limit).getResultList())
                .stream().map(r -> new Due((String) r[0], (UUID) r[1])).toList());
    }

    /**
     * Takes the export for a run at {@code now}: the attempt's number, or empty when another replica took it first or
     * its tries are spent (it is failed then).
     */
    public Optional<Integer> claim(Due due, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(due.tenantId());
            TenantExport e = em.find(TenantExport.class, due.exportId(), LockModeType.PESSIMISTIC_WRITE);
            if (e == null || !due.tenantId().equals(e.tenantId) || !(TenantExport.QUEUED.equals(e.status)
                    || TenantExport.RUNNING.equals(e.status) && e.leaseUntil != null && e.leaseUntil.isBefore(now))) {
                return Optional.<Integer>empty();
            }
            if (e.attempts >= config.maxAttempts()) {
                e.status = TenantExport.FAILED;
                e.phase = TenantExport.FAILED;
                e.finishedAt = now;
                e.leaseUntil = null;
                e.errorMessage = "The export was tried " + e.attempts + " times and did not finish"
                        + (e.errorMessage == null ? "" : " (last: " + e.errorMessage + ")") + "; ask for a new one.";
                LOG.warnf("export %s of tenant %s failed after %d attempts", e.id, e.tenantId, e.attempts);
                return Optional.<Integer>empty();
            }
            e.attempts++;
            e.status = TenantExport.RUNNING;
            e.phase = "planning";
            e.itemsDone = 0;
            e.itemsTotal = 0;
            e.leaseUntil = now.plus(config.lease());
            if (e.startedAt == null) {
                e.startedAt = now;
            }
            return Optional.of(e.attempts);
        });
    }

    /**
     * Records progress of attempt {@code attempt} and renews its lease; false when the export is no longer this
     * attempt's (another replica took it over), which must stop.
     */
    public boolean progress(Due due, int attempt, String phase, int done, int total) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(due.tenantId());
            return em.createQuery("update TenantExport e set e.phase = ?1, e.itemsDone = ?2, e.itemsTotal = ?3,"
                            + " e.leaseUntil = ?4 where e.id = ?5 and e.tenantId = ?6 and e.attempts = ?7"
                            + " and e.status = ?8")
                    .setParameter(1, phase).setParameter(2, done).setParameter(3, total)
                    .setParameter(4, clock.instant().plus(config.lease())).setParameter(5, due.exportId())
                    .setParameter(6, due.tenantId()).setParameter(7, attempt).setParameter(8, TenantExport.RUNNING)
                    .executeUpdate() == 1;
        });
    }

    /** Attempt {@code attempt} stored the archive: the export succeeded and is kept until now + expiry. */
    public boolean succeeded(Due due, int attempt, String blobKey, long bytes, String sha256, int items) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(due.tenantId());
            Instant now = clock.instant();
            return em.createQuery("update TenantExport e set e.status = ?1, e.phase = ?1, e.itemsDone = ?2,"
                            + " e.itemsTotal = ?2, e.blobKey = ?3, e.archiveBytes = ?4, e.archiveSha256 = ?5,"
                            + " e.finishedAt = ?6, e.expiresAt = ?7, e.leaseUntil = null, e.errorMessage = null"
                            + " where e.id = ?8 and e.tenantId = ?9 and e.attempts = ?10 and e.status = ?11")
                    .setParameter(1, TenantExport.SUCCEEDED).setParameter(2, items).setParameter(3, blobKey)
                    .setParameter(4, bytes).setParameter(5, sha256).setParameter(6, now)
                    .setParameter(7, now.plus(config.expiry())).setParameter(8, due.exportId())
                    .setParameter(9, due.tenantId()).setParameter(10, attempt)
                    .setParameter(11, TenantExport.RUNNING).executeUpdate() == 1;
        });
    }

    /** Attempt {@code attempt} failed with {@code reason}: queued for another try, or failed once tries are spent. */
    public void attemptFailed(Due due, int attempt, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(due.tenantId());
            TenantExport e = em.find(TenantExport.class, due.exportId(), LockModeType.PESSIMISTIC_WRITE);
            if (e == null || e.attempts != attempt || !TenantExport.RUNNING.equals(e.status)) {
                return;
            }
            e.errorMessage = reason;
            e.leaseUntil = null;
            if (e.attempts >= config.maxAttempts()) {
                e.status = TenantExport.FAILED;
                e.phase = TenantExport.FAILED;
                e.finishedAt = clock.instant();
            } else {
                e.status = TenantExport.QUEUED;
                e.phase = TenantExport.QUEUED;
            }
        });
    }

    @Scheduled(identity = "tenant-export-expiry", every = "{meridian.models.exports.sweep-interval}",
            delayed = "{meridian.models.exports.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            int expired = expire(clock.instant());
            if (expired > 0) {
                LOG.infof("exports: deleted %d expired archives", expired);
            }
        } catch (RuntimeException e) {
            LOG.warnf("the sweep of expired exports failed (%s); it runs again in %s", e.toString(),
                    config.sweepInterval());
        }
    }

    /**
     * Deletes the archives of exports that expired before {@code now} and marks them expired: the blob goes first, so
     * a crash in between leaves a row to expire again, never an archive without its row.
     */
    @SuppressWarnings("unchecked")
    public int expire(Instant now) {
        int expired = 0;
        List<Object[]> due;
        do {
            due = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                            "select export_id, tenant_id from expired_tenant_exports(?1, 100)")
                    .setParameter(1, now.atOffset(ZoneOffset.UTC)).getResultList());
            for (Object[] row : due) {
                if (expireOne(new Due((String) row[0], (UUID) row[1]), now)) {
                    expired++;
                } else {
                    return expired; // the blob store refused: try again at the next sweep rather than loop here
                }
            }
        } while (due.size() == 100);
        return expired;
    }

    private boolean expireOne(Due due, Instant now) {
        Optional<TenantExport> found = find(due.tenantId(), due.exportId());
        if (found.isEmpty() || !TenantExport.SUCCEEDED.equals(found.get().status)) {
            return true;
        }
        try {
            if (found.get().blobKey != null) {
                blobs.delete(found.get().blobKey);
            }
        } catch (IOException e) {
            LOG.warnf("cannot delete the expired archive of export %s yet (%s)", due.exportId(), e.toString());
            return false;
        }
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(due.tenantId());
            em.createQuery("update TenantExport e set e.status = ?1, e.phase = ?1 where e.id = ?2"
                            + " and e.tenantId = ?3 and e.status = ?4 and e.expiresAt < ?5")
                    .setParameter(1, TenantExport.EXPIRED).setParameter(2, due.exportId())
                    .setParameter(3, due.tenantId()).setParameter(4, TenantExport.SUCCEEDED).setParameter(5, now)
                    .executeUpdate();
        });
        return true;
    }

    static ApiException notFound(String exportId) {
        return ApiException.of(404, "export_not_found", null, "No export " + exportId + " in this tenant. GET"
                + " /api/v1/tenants/{tenant}/exports lists its exports.");
    }
}
