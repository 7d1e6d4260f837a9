package dev.meridian.tenancy.tenants.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.ApiKey;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Closing a tenant, the owner's right to erasure (docs/api.md, "Closing a tenant"). {@link #close} revokes every key
 * at once and announces {@code tenant.closed}, on which every region cancels the tenant's fine-tune jobs and
 * undeploys its models; the closure can be cancelled until the grace period ({@code meridian.tenancy.closure.grace})
 * ends. Then {@link #eraseDue} removes the tenant's personal data from the control plane (members, keys, partner
 * grants, audit trail; the tenant's name) in one transaction with the {@code tenant.erased} event, on which every
 * region deletes the tenant's content and billing its personal details. The tenant row stays, renamed, because billing
 * keeps the tenant's invoices as the law requires and they must still name a (pseudonymous) customer.
 */
@ApplicationScoped
public class TenantClosure {

    private static final Logger LOG = Logger.getLogger(TenantClosure.class);
    /** The actor of the scheduled erasure in the audit log. */
    static final Caller ERASURE = new Caller("service:meridian-tenancy", null, false, false);
    /** At most this many tenants are erased per run; the next run takes the rest. */
    private static final int BATCH = 50;

    @Inject
    TenancyConfig config;
    @Inject
    TenantSession session;
    @Inject
    Access access;
    @Inject
    AuditLog audit;
    @Inject
    Outbox outbox;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    /**
     * Closes the tenant: only an owner may, and only by typing its name as {@code confirmation}. Revokes every key
     * still valid, each announced to the gateways, and sets when the data will be erased. Closing a closing tenant
     * is refused (409) rather than moving its erasure date.
     */
    @Transactional
    public Tenant close(Caller caller, UUID tenantId, String confirmation) {
        access.memberWithRole(caller, tenantId, Role.OWNER);
        Tenant t = lockedTenant(tenantId);
        if (Tenant.CLOSING.equals(t.status)) {
            throw ApiException.of(409, "tenant_closing", null, "The tenant is already closing; its data will be"
                    + " erased after " + t.eraseAfter + ". DELETE /api/v1/tenants/" + tenantId + "/closure cancels"
                    + " the closure.");
        }
        if (confirmation == null || !confirmation.equals(t.name)) {
            throw ApiException.of(400, "confirmation_mismatch", "confirm", "To close the tenant, send its exact"
                    + " name in `confirm` (case and spaces count). Closing revokes every API key now and erases the"
                    + " tenant's data in every region after " + days(config.closure().grace()) + ".");
        }
        Instant now = now();
        List<ApiKey> live = ApiKey.list("tenantId = ?1 and (revokedAt is null or revokedAt > ?2)", tenantId, now);
        for (ApiKey key : live) {
            key.revokedAt = now;
            outbox.tenancyChange(TenancyChange.API_KEY_REVOKED, tenantId, key.id, key.prefix);
        }
        t.statusBeforeClosure = t.status;
        t.status = Tenant.CLOSING;
        t.closedAt = now;
        t.eraseAfter = now.plus(config.closure().grace()).truncatedTo(ChronoUnit.MICROS);
        t.updatedAt = now;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("erase_after", t.eraseAfter.toString());
        details.put("keys_revoked", live.size());
        audit.record(caller, tenantId, "tenant.closed", "tenant", tenantId, details);
        outbox.tenancyChange(TenancyChange.TENANT_CLOSED, tenantId, null, null);
        return t;
    }

    /**
     * Cancels a closure within its grace period: the tenant returns to the status it had (keys revoked by the closure
     * stay revoked; jobs stay cancelled, models undeployed: the owner deploys again what it wants served).
     */
    @Transactional
    public Tenant cancel(Caller caller, UUID tenantId) {
        access.memberWithRole(caller, tenantId, Role.OWNER);
        Tenant t = lockedTenant(tenantId);
        if (!Tenant.CLOSING.equals(t.status)) {
            throw ApiException.of(409, "tenant_not_closing", null, "The tenant is not closing (its status is '"
                    + t.status + "'), so there is no closure to cancel.");
        }
        if (!t.eraseAfter.isAfter(now())) {
            throw ApiException.of(409, "erasure_started", null, "The grace period ended at " + t.eraseAfter
                    + "; the tenant's data is being erased and the closure can no longer be cancelled.");
        }
        t.status = t.statusBeforeClosure == null ? Tenant.ACTIVE : t.statusBeforeClosure;
        t.statusBeforeClosure = null;
        t.closedAt = null;
        t.eraseAfter = null;
        t.updatedAt = now();
        audit.record(caller, tenantId, "tenant.closure_cancelled", "tenant", tenantId, Map.of("status", t.status));
        outbox.tenancyChange(TenancyChange.TENANT_REOPENED, tenantId, null, null);
        return t;
    }

    @Scheduled(identity = "tenant-erasure", every = "{meridian.tenancy.closure.interval}",
            delayed = "{meridian.tenancy.closure.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            int erased = eraseDue(clock.instant());
            if (erased > 0) {
                LOG.infof("erased %d closed tenants whose grace period had ended", erased);
            }
        } catch (RuntimeException e) {
            LOG.warnf("tenant erasure failed (%s); it runs again in %s", e.toString(), config.closure().interval());
        }
    }

    /** Erases every closing tenant whose grace period ended by {@code now}, each in its own transaction. */
    public int eraseDue(Instant now) {
        int erased = 0;
        List<UUID> due;
        do {
            @SuppressWarnings("unchecked")
            List<UUID> ids = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                            "select tenant_id from tenants_due_for_erasure(?1, ?2)", UUID.class)
                    .setParameter(1, now.atOffset(ZoneOffset.UTC)).setParameter(2, BATCH).getResultList());
            due = ids;
            for (UUID id : due) {
                QuarkusTransaction.requiringNew().run(() -> erase(id, now));
                erased++;
            }
        } while (due.size() == BATCH);
        return erased;
    }

    /**
     * One tenant's erasure in the control plane: members (user ids, e-mail addresses), keys, partner grants and the
     * audit trail are deleted, the name replaced; what remains is the id, home region, plan and owning partner that
     * billing's retained invoices refer to, and one audit event saying when the tenant was erased.
     */
    private void erase(UUID tenantId, Instant now) {
        session.bindTenant(tenantId);
        Tenant t = lockedTenant(tenantId);
        if (!Tenant.CLOSING.equals(t.status) || t.eraseAfter.isAfter(now)) {
            return; // cancelled, or erased by another instance, since the ids were read
        }
        Map<String, Object> removed = new LinkedHashMap<>();
        for (String table : List.of("api_keys", "members", "partner_grants", "audit_events")) {
            removed.put(table, em.createNativeQuery("delete from " + table + " where tenant_id = ?1")
                    .setParameter(1, tenantId).executeUpdate());
        }
        t.name = "erased tenant " + tenantId;
        t.createdBy = "erased";
        t.status = Tenant.ERASED;
        t.statusBeforeClosure = null;
        t.erasedAt = StoredTime.of(now);
        t.updatedAt = StoredTime.now();
        audit.record(ERASURE, tenantId, "tenant.erased", "tenant", tenantId, removed);
        outbox.tenancyChange(TenancyChange.TENANT_ERASED, tenantId, null, null);
    }

    private Tenant lockedTenant(UUID tenantId) {
        session.bindTenant(tenantId);
        Tenant t = em.find(Tenant.class, tenantId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (t == null) {
            throw Access.notFound(tenantId);
        }
        return t;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String days(java.time.Duration grace) {
        return grace.toDays() >= 1 ? grace.toDays() + " days" : grace.toString();
    }
}
