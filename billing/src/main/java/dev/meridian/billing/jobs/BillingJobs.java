package dev.meridian.billing.jobs;

import dev.meridian.billing.Period;
import dev.meridian.billing.access.TenancyClient;
import dev.meridian.billing.budgets.service.BudgetAlerts;
import dev.meridian.billing.budgets.service.WebhookSender;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.partners.service.PartnerStatements;
import dev.meridian.billing.reconciliation.service.Reconciliation;
import dev.meridian.common.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The periodic work of billing, on one background thread: soft-budget checks, handing due webhook calls to their
 * own bounded queue ({@link WebhookSender}: this thread never waits on a receiver), the outbox relay, closing the
 * previous month (finalizing its invoices once the finalize grace has passed, then closing each partner's statements
 * of the month), and the hourly reconciliation with the gateways (its report goes to the log). Each step is safe to
 * run on several replicas at once (unique rows, claimed deliveries, idempotent finalization and closing). Work done
 * tenant by tenant (or partner by partner) isolates each: one whose data makes its step fail is logged with its id and
 * skipped, the others proceed, and it is tried again next round.
 */
@ApplicationScoped
public class BillingJobs {

    private static final Logger LOG = Logger.getLogger(BillingJobs.class);

    @Inject
    BillingConfig config;
    @Inject
    BudgetAlerts alerts;
    @Inject
    WebhookSender webhooks;
    @Inject
    OutboxRelay relay;
    @Inject
    InvoiceService invoices;
    @Inject
    EntityManager em;
    @Inject
    Reconciliation reconciliation;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry registry;
    @Inject
    TenancyClient tenancy;
    @Inject
    PartnerStatements statements;

    private ScheduledExecutorService scheduler;
    /** The last failure of each step (and tenant), so that one failing round after round is logged once. */
    private final java.util.Map<String, String> lastFailure = new java.util.concurrent.ConcurrentHashMap<>();
    private Instant lastReconciled;
    /** The month whose partner statements are all closed (by this replica). */
    private YearMonth partnerStatementsClosed;

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("billing-jobs").daemon()
                .factory());
        long every = config.alerts().interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** One round of every job; public so that operators' tools and tests can run it now. */
    public synchronized void tick() {
        step("budget alerts", () -> eachTenant("budget alerts", alerts::check));
        step("outbox relay", () -> {
            while (relay.publishBatch() > 0) {
                // drain
            }
        });
        step("webhooks", webhooks::dispatchDue);
        step("period close", this::closePreviousPeriod);
        step("reconciliation", this::reconcileLastHour);
    }

    /** Once per hour, the hour before the last complete one (usage events of a served call may arrive a bit late). */
    private void reconcileLastHour() {
        Instant hour = clock.instant().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
        if (config.reconciliation().gateways().isEmpty() || hour.equals(lastReconciled)) {
            return;
        }
        lastReconciled = hour;
        reconciliation.reconcile(hour.minus(1, ChronoUnit.HOURS), hour);
    }

    private void closePreviousPeriod() {
        Period previous = Period.containing(clock.instant()).previous();
        if (clock.instant().isBefore(previous.end().plus(config.invoices().finalizeGrace()))) {
            return;
        }
        eachTenant("period close", tenant -> invoices.finalizePeriod(tenant, previous.month(),
                "billing:period-close"));
        closePartnerStatements(previous.month());
    }

    /**
     * After the month's invoices: each partner's statements of the month, each partner in isolation as tenants are.
     * Once every partner's are closed, later rounds of the month do not ask tenancy again.
     */
    private void closePartnerStatements(YearMonth month) {
        if (month.equals(partnerStatementsClosed)) {
            return;
        }
        boolean all = true;
        for (var partner : tenancy.partners()) {
            all &= isolated("partner statements of partner " + partner.id(), "partners",
                    () -> statements.close(partner, month, "billing:period-close"));
        }
        if (all) {
            partnerStatementsClosed = month;
        }
    }

    /**
     * Runs {@code work} for every tenant with an account, each in isolation: a tenant whose work throws is logged
     * (with its id; once while it keeps failing the same way) and skipped, and the next round tries it again.
     */
    private void eachTenant(String name, Consumer<UUID> work) {
        for (UUID tenant : tenants()) {
            isolated(name + " of tenant " + tenant, "tenants", () -> work.accept(tenant));
        }
    }

    /** Runs one tenant's or partner's work; a failure is logged (once while it repeats) and reported as false. */
    private boolean isolated(String key, String others, Runnable work) {
        try {
            work.run();
            outcome(key, "ok");
            if (lastFailure.remove(key) != null) {
                LOG.infof("billing job %s works again", key);
            }
            return true;
        } catch (RuntimeException e) {
            outcome(key, "failed");
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!message.equals(lastFailure.put(key, message))) {
                LOG.warnf(e, "billing job %s failed; skipped this round, the other %s proceed: %s", key, others,
                        message);
            }
            return false;
        }
    }

    /**
     * {@code meridian_billing_job_runs_total{job,outcome}}: each tenant's or partner's share of a job, by outcome. The
     * job is the key's words before " of " (budget alerts, period close, partner statements): never a tenant id.
     */
    private void outcome(String key, String outcome) {
        int of = key.indexOf(" of ");
        registry.counter("meridian.billing.job.runs", "job", of < 0 ? key : key.substring(0, of), "outcome", outcome)
                .increment();
    }

    private List<UUID> tenants() {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UUID> ids = em.createNativeQuery("select billing_tenants()").getResultList();
            return ids;
        });
    }

    /** One job's round; {@code meridian_billing_job_rounds_total{job,outcome}} counts them. */
    private void step(String name, Runnable work) {
        try {
            work.run();
            registry.counter("meridian.billing.job.rounds", "job", name, "outcome", "ok").increment();
            if (lastFailure.remove(name) != null) {
                LOG.infof("billing job %s works again", name);
            }
        } catch (RuntimeException e) {
            registry.counter("meridian.billing.job.rounds", "job", name, "outcome", "failed").increment();
            String message = String.valueOf(e.getMessage());
            if (!message.equals(lastFailure.put(name, message))) {
                LOG.warnf("billing job %s failed, retried next round: %s", name, message);
            }
        }
    }
}
