package dev.meridian.models.finetune.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * {@code meridian_finetune_jobs{status}}: the region's fine-tuning jobs by status, all tenants together (a status is
 * one of six, so the label is bounded; no tenant is a label). Counted by the database
 * ({@code finetune_job_counts()}, which alone may count across tenants) every
 * {@code meridian.models.finetune.job-counts-interval}, never on a scrape, so Prometheus cannot load PostgreSQL;
 * {@code NaN} until the first count and while the database does not answer.
 */
@ApplicationScoped
public class FineTuneJobCounts {

    /** The statuses of {@code finetune_jobs.status}, as OpenAI names them. */
    static final List<String> STATUSES = List.of("validating_files", "queued", "running", "succeeded", "failed",
            "cancelled");
    private static final Logger LOG = Logger.getLogger(FineTuneJobCounts.class);

    @Inject
    EntityManager em;
    @Inject
    MeterRegistry registry;

    private final Map<String, Double> counts = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile boolean warned;

    void register(@Observes StartupEvent event) {
        for (String status : STATUSES) {
            counts.put(status, Double.NaN);
            meters.add(Gauge.builder("meridian.finetune.jobs", counts, c -> c.getOrDefault(status, Double.NaN))
                    .tag("status", status).description("Fine-tuning jobs of this region by status, all tenants")
                    .register(registry));
        }
    }

    /** The registry may outlive the application (a test JVM restarts it): leave no meter reading this one. */
    void unregister(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        meters.clear();
    }

    @Scheduled(identity = "finetune-job-counts", every = "{meridian.models.finetune.job-counts-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            Map<String, Double> now = count();
            STATUSES.forEach(s -> counts.put(s, now.getOrDefault(s, 0.0)));
            warned = false;
        } catch (RuntimeException e) {
            STATUSES.forEach(s -> counts.put(s, Double.NaN));
            if (!warned) {
                warned = true;
                LOG.warnf("cannot count fine-tuning jobs for the metrics (%s); meridian_finetune_jobs is NaN until"
                        + " the database answers", e.toString());
            }
        }
    }

    /** Jobs by status, as the database counts them now; a status without jobs is absent. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Map<String, Double> count() {
        Map<String, Double> out = new HashMap<>();
        for (Object[] row : (List<Object[]>) em.createNativeQuery("select status, jobs from finetune_job_counts()")
                .getResultList()) {
            out.put((String) row[0], ((Number) row[1]).doubleValue());
        }
        return out;
    }
}
