package dev.meridian.models.finetune.service;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.models.finetune.config.FineTuneConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Enforces this region's retention ({@link FineTuneConfig.Retention}): events of jobs that ended longer ago than
 * {@code job-events}, and files uploaded longer ago than {@code files} that no unfinished job uses, with their
 * content. Runs as the database functions of migration V35, which alone may delete across tenants; blobs go before
 * their rows, so a crash between leaves a row to purge again, never content without a row.
 */
@ApplicationScoped
public class Retention {

    /** Files purged per transaction; the next batch follows at once. */
    static final int BATCH = 200;
    private static final Logger LOG = Logger.getLogger(Retention.class);

    @Inject
    EntityManager em;
    @Inject
    BlobStore blobs;
    @Inject
    FineTuneConfig config;
    @Inject
    Clock clock;

    /** What one run removed. */
    public record Purged(long jobEvents, long files) {
    }

    @Scheduled(identity = "finetune-retention", every = "{meridian.models.finetune.retention.interval}",
            delayed = "{meridian.models.finetune.retention.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            var purged = purge(clock.instant());
            if (purged.jobEvents() > 0 || purged.files() > 0) {
                LOG.infof("retention: removed %d job events and %d files", purged.jobEvents(), purged.files());
            }
        } catch (RuntimeException e) {
            LOG.warnf("retention purge failed (%s); it runs again in %s", e.toString(),
                    config.retention().interval());
        }
    }

    /** Purges what is due at {@code now}. */
    public Purged purge(Instant now) {
        long events = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select purge_finetune_job_events(?1)").setParameter(1, at(now.minus(config.retention().jobEvents())))
                .getSingleResult()).longValue());
        long files = 0;
        if (config.retention().files().isPresent()) {
            OffsetDateTime cutoff = at(now.minus(config.retention().files().get()));
            int[] batch;
            do {
                batch = purgeFiles(cutoff);
                files += batch[1];
            } while (batch[0] == BATCH && batch[1] == batch[0]); // a full batch, all removed: there may be more
        }
        return new Purged(events, files);
    }

    /** One batch of due files: how many were due, and how many of them are gone with their content. */
    @SuppressWarnings("unchecked")
    private int[] purgeFiles(OffsetDateTime cutoff) {
        List<Object[]> due = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id, blob_key from expired_finetune_files(?1, ?2)").setParameter(1, cutoff)
                .setParameter(2, BATCH).getResultList());
        List<String> ids = new ArrayList<>(due.size());
        for (Object[] row : due) {
            try {
                blobs.delete((String) row[1]);
                ids.add((String) row[0]);
            } catch (IOException e) {
                LOG.warnf("retention: cannot delete the content of file %s yet (%s); it is tried again", row[0],
                        e.toString());
            }
        }
        if (!ids.isEmpty()) {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("select purge_finetune_files(?1, ?2)")
                    .setParameter(1, ids.toArray(String[]::new)).setParameter(2, cutoff).getSingleResult());
        }
        return new int[] {due.size(), ids.size()};
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
