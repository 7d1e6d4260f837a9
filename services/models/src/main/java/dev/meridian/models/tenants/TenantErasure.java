package dev.meridian.models.tenants;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.service.JobService;
import dev.meridian.models.registry.service.ModelRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What this region does when a tenant is closed and when it is erased (tenancy's {@code tenant.closed} and
 * {@code tenant.erased}, docs/api.md "Closing a tenant"). Both are idempotent: an event delivered again, or a failure
 * half-way retried, ends in the same state.
 */
@ApplicationScoped
public class TenantErasure {

    private static final Logger LOG = Logger.getLogger(TenantErasure.class);

    /** The region's tables that hold a tenant's rows, children first (the outboxes are cleared separately). */
    static final List<String> TENANT_TABLES = List.of("finetune_job_events", "finetune_checkpoints", "finetune_jobs",
            "finetune_files", "model_upload_parts", "model_uploads", "model_versions", "tenant_models",
            "tenant_exports");

    @Inject
    EntityManager em;
    @Inject
    TenantSession scope;
    @Inject
    JobService jobs;
    @Inject
    ModelRegistry registry;
    @Inject
    BlobStore blobs;

    /** Cancels the tenant's unfinished fine-tune jobs (workers stop them) and undeploys every deployed version. */
    public void close(UUID tenantId) {
        List<String> unfinished = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return em.createQuery("select j.id from FineTuneJob j where j.tenantId = ?1 and j.status in ?2",
                    String.class).setParameter(1, tenantId).setParameter(2, List.of(FineTuneJob.VALIDATING_FILES,
                            FineTuneJob.QUEUED, FineTuneJob.RUNNING)).getResultList();
        });
        for (String job : unfinished) {
            try {
                jobs.cancel(tenantId, job);
            } catch (ApiException ended) {
                // it ended meanwhile: nothing left to stop
            }
        }
        record Deployed(String model, int version) {
        }
        List<Deployed> deployed = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return em.createQuery("select m.name, v.version from ModelVersion v, TenantModel m where v.modelId = m.id"
                    + " and v.tenantId = ?1 and m.tenantId = ?1 and v.deployed = true", Object[].class)
                    .setParameter(1, tenantId).getResultList().stream()
                    .map(row -> new Deployed((String) row[0], ((Number) row[1]).intValue())).toList();
        });
        for (Deployed d : deployed) {
            registry.setDeployed(tenantId, d.model(), String.valueOf(d.version()), false);
        }
        if (!unfinished.isEmpty() || !deployed.isEmpty()) {
            LOG.infof("tenant %s closed: cancelled %d fine-tune jobs, undeployed %d model versions", tenantId,
                    unfinished.size(), deployed.size());
        }
    }

    /**
     * Deletes everything the tenant has in this region: first what serves or writes (jobs cancelled, models
     * undeployed, which also makes the region's inference services drop its loaded models), then every blob under
     * the tenant's prefix (files, datasets, embedding chunks, checkpoints, tuned and uploaded models, upload parts),
     * then its rows and its published outbox rows in one transaction. Returns how many rows of each table and how
     * many blobs were deleted.
     */
    public Map<String, Integer> erase(UUID tenantId) {
        close(tenantId);
        int blobCount;
        try {
            blobCount = blobs.deleteAll(tenantPrefix(tenantId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the blobs of tenant " + tenantId, e);
        }
        Map<String, Integer> removed = QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            Map<String, Integer> rows = new LinkedHashMap<>();
            for (String table : TENANT_TABLES) {
                rows.put(table, em.createNativeQuery("delete from " + table + " where tenant_id = ?1")
                        .setParameter(1, tenantId).executeUpdate());
            }
            // Published changes would otherwise keep the tenant's model names and job ids until the outbox purge;
            // unpublished ones go out first (they tell inference and workers what the closure stopped).
            for (String outbox : List.of("registry_outbox", "finetune_outbox")) {
                rows.put(outbox, em.createNativeQuery("delete from " + outbox + " where published_at is not null"
                        + " and payload->>'tenant_id' = ?1").setParameter(1, tenantId.toString()).executeUpdate());
            }
            return rows;
        });
        removed.put("blobs", blobCount);
        LOG.infof("tenant %s erased from this region: %s", tenantId, removed);
        return removed;
    }

    /** The blob key prefix of everything a tenant stores in a region. */
    public static String tenantPrefix(UUID tenantId) {
        return "tenants/" + tenantId + "/";
    }
}
