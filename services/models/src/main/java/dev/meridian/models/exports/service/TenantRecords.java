package dev.meridian.models.exports.service;

import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.ModelVersion;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's rows of this service's tables as JSON Lines (one row a line, PostgreSQL's {@code to_jsonb}, without the
 * internal {@code seq}), read a page at a time, each page in a transaction bound to the tenant, so neither a large
 * table nor another tenant's row ever enters the archive's memory.
 */
@ApplicationScoped
public class TenantRecords {

    static final int PAGE = 500;

    /** The tables an export holds, with the archive path of each; the keys are trusted SQL identifiers. */
    public static final Map<String, String> TABLES = Map.of(
            "finetune_files", "files/files.jsonl",
            "tenant_models", "models/models.jsonl",
            "model_versions", "models/versions.jsonl",
            "finetune_jobs", "fine-tuning/jobs.jsonl",
            "finetune_job_events", "fine-tuning/events.jsonl",
            "finetune_checkpoints", "fine-tuning/checkpoints.jsonl");
    /** The order the tables are written in. */
    public static final List<String> ORDER = List.of("finetune_files", "tenant_models", "model_versions",
            "finetune_jobs", "finetune_job_events", "finetune_checkpoints");

    /** A stored object of the tenant: its id and where its bytes lie. */
    public record Content(String id, String blobKey) {
    }

    @Inject
    EntityManager em;
    @Inject
    TenantSession scope;

    /** Writes the tenant's rows of {@code table} as JSON Lines; answers how many. */
    public int writeRows(UUID tenantId, String table, OutputStream out) throws IOException {
        if (!TABLES.containsKey(table)) {
            throw new IllegalArgumentException("not an exported table: " + table);
        }
        int count = 0;
        String after = "";
        while (true) {
            List<Object[]> page = page(tenantId, table, after);
            for (Object[] row : page) {
                out.write(((String) row[1]).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                count++;
            }
            if (page.size() < PAGE) {
                return count;
            }
            after = (String) page.getLast()[0];
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> page(UUID tenantId, String table, String after) {
        // keyset on the id as text: every exported table has a text or uuid primary key named id
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return em.createNativeQuery("select t.id::text, (to_jsonb(t) - 'seq')::text from " + table + " t"
                            + " where t.tenant_id = ?1 and t.id::text > ?2 order by t.id::text limit " + PAGE)
                    .setParameter(1, tenantId).setParameter(2, after).getResultList();
        });
    }

    /** The tenant's fine-tuning files, for their content. */
    public List<Content> files(UUID tenantId) {
        return contents(tenantId, "select id, blob_key from finetune_files where tenant_id = ?1 order by seq");
    }

    /** The tenant's model versions, for their ONNX artifacts (and, with {@link #tokenizers}, tokenizers). */
    public List<Content> modelVersions(UUID tenantId) {
        return contents(tenantId, "select id::text, blob_key from model_versions where tenant_id = ?1"
                + " order by created_at, id");
    }

    /** The tokenizer.json of each generative model version, by the version's id. */
    public Map<String, String> tokenizers(UUID tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            List<ModelVersion> generative = ModelVersion.list("tenantId = ?1 and task is not null", tenantId);
            var keys = new java.util.HashMap<String, String>();
            generative.forEach(v -> keys.put(v.id.toString(), v.generation.tokenizerBlobKey()));
            return keys;
        });
    }

    @SuppressWarnings("unchecked")
    private List<Content> contents(UUID tenantId, String sql) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenantId);
            return ((List<Object[]>) em.createNativeQuery(sql).setParameter(1, tenantId).getResultList()).stream()
                    .map(r -> new Content((String) r[0], (String) r[1])).toList();
        });
    }
}
