package dev.meridian.billing.budgets.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

/**
 * Hands due webhook calls to {@link WebhookCalls}' bounded queue, on the billing jobs thread, and returns at once: a
 * receiver that is slow or never answers holds one of the queue's workers, never the jobs. A call the full queue
 * refuses is dropped for this round and logged; its row stays due, so the next round offers it again.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final int BATCH = 100;

    @Inject
    EntityManager em;
    @Inject
    WebhookCalls calls;

    /** Calls handed over and not finished yet, so that a call waiting in the queue is not queued twice. */
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();

    /** Queues the calls that are due; returns how many it queued. */
    public int dispatchDue() {
        List<Object[]> due = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select id, tenant_id from due_webhooks(:n)")
                    .setParameter("n", BATCH).getResultList();
            return rows;
        });
        int queued = 0;
        for (Object[] row : due) {
            UUID id = (UUID) row[0];
            UUID tenant = (UUID) row[1];
            if (!inFlight.add(id)) {
                continue;
            }
            try {
                calls.deliver(id, tenant).whenComplete((delivered, failure) -> {
                    inFlight.remove(id);
                    if (failure != null) {
                        refused(id, tenant, failure);
                    }
                });
                queued++;
            } catch (RuntimeException e) {
                inFlight.remove(id);
                refused(id, tenant, e);
            }
        }
        return queued;
    }

    private static void refused(UUID id, UUID tenant, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof BulkheadException) {
            LOG.warnf("webhook queue full: call %s of tenant %s dropped for now; it stays due for the next round", id,
                    tenant);
        } else {
            LOG.warnf(cause, "webhook call %s of tenant %s failed before it was recorded; it stays due", id, tenant);
        }
    }
}
