package dev.meridian.models.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.service.Retention;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The region's retention purge (the test profile keeps files and finished jobs' events ten years, so only rows this
 * test backdates are due): what is past its time goes, content included; what an unfinished job needs, what is
 * recent, and the jobs themselves stay.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class RetentionIT {

    @Inject
    Retention retention;
    @Inject
    EntityManager em;
    @Inject
    TenantSession scope;
    @Inject
    BlobStore blobs;
    @Inject
    Clock clock;

    private final UUID tenant = UUID.randomUUID();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void filesAndEventsPastTheirRetentionGoWithTheirContentAndWhatIsNeededOrRecentStays() throws Exception {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expired = now.minus(Duration.ofDays(3700));
        Instant kept = now.minus(Duration.ofDays(3600));
        String oldFile = file("old", expired);
        String recentFile = file("recent", kept);
        String inUse = file("in-use", expired);
        String doneLongAgo = job("done", "succeeded", oldFile, expired);
        String doneRecently = job("recent", "failed", recentFile, kept);
        String stillRunning = job("running", "running", inUse, null);

        var purged = retention.purge(now);

        assertThat(purged.files()).isGreaterThanOrEqualTo(1);
        assertThat(purged.jobEvents()).isGreaterThanOrEqualTo(2);
        assertThat(ids("finetune_files")).containsExactlyInAnyOrder(recentFile, inUse);
        assertThatThrownBy(() -> blobs.open("retention/" + oldFile).close()).isInstanceOf(IOException.class);
        assertThat(blobs.exists("retention/" + recentFile)).isTrue();
        assertThat(blobs.exists("retention/" + inUse)).isTrue();
        assertThat(eventsOf(doneLongAgo)).isZero();
        assertThat(eventsOf(doneRecently)).isEqualTo(2);
        assertThat(eventsOf(stillRunning)).isEqualTo(2);
        assertThat(ids("finetune_jobs")).containsExactlyInAnyOrder(doneLongAgo, doneRecently, stillRunning);

        assertThat(retention.purge(now)).isEqualTo(new Retention.Purged(0, 0));
    }

    private String file(String name, Instant createdAt) throws IOException {
        String id = "file-retention-" + name + "-" + run;
        blobs.put("retention/" + id, "{\"text\":\"x\",\"label\":\"a\"}\n".getBytes(StandardCharsets.UTF_8));
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenant);
            em.createNativeQuery("insert into finetune_files (id, tenant_id, filename, purpose, bytes, lines, sha256,"
                            + " blob_key, created_at) values (?1, ?2, 'r.jsonl', 'fine-tune', 25, 1, 'x', ?3, ?4)")
                    .setParameter(1, id).setParameter(2, tenant).setParameter(3, "retention/" + id)
                    .setParameter(4, createdAt.atOffset(ZoneOffset.UTC)).executeUpdate();
        });
        return id;
    }

    /** A job on {@code file} in {@code status}, finished at {@code finishedAt} (null: not finished), with two events. */
    private String job(String name, String status, String file, Instant finishedAt) {
        String id = "ftjob-retention-" + name + "-" + run;
        Instant created = finishedAt == null ? clock.instant() : finishedAt.minus(Duration.ofHours(1));
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenant);
            em.createNativeQuery("insert into finetune_jobs (id, tenant_id, base_model, training_file, seed,"
                            + " requested_hyperparameters, status, created_at, finished_at)"
                            + " values (?1, ?2, 'all-minilm-l6-v2', ?3, 42, '{}'::jsonb, ?4, ?5, ?6)")
                    .setParameter(1, id).setParameter(2, tenant).setParameter(3, file).setParameter(4, status)
                    .setParameter(5, created.atOffset(ZoneOffset.UTC))
                    .setParameter(6, finishedAt == null ? null : finishedAt.atOffset(ZoneOffset.UTC))
                    .executeUpdate();
            for (int i = 0; i < 2; i++) {
                em.createNativeQuery("insert into finetune_job_events (id, tenant_id, job_id, level, type, message,"
                                + " created_at) values (?1, ?2, ?3, 'info', 'message', 'step', ?4)")
                        .setParameter(1, UUID.randomUUID()).setParameter(2, tenant).setParameter(3, id)
                        .setParameter(4, created.atOffset(ZoneOffset.UTC)).executeUpdate();
            }
        });
        return id;
    }

    @SuppressWarnings("unchecked")
    private List<String> ids(String table) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenant);
            return (List<String>) em.createNativeQuery("select id from " + table + " where tenant_id = ?1")
                    .setParameter(1, tenant).getResultList();
        });
    }

    private long eventsOf(String job) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenant);
            return ((Number) em.createNativeQuery("select count(*) from finetune_job_events where job_id = ?1")
                    .setParameter(1, job).getSingleResult()).longValue();
        });
    }
}
