package dev.meridian.tenancy.tenants.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.PlanChange;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerGrant;
import dev.meridian.tenancy.PartnerMember;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.config.TenancyConfig;
import dev.meridian.tenancy.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Creating tenants, finding a person's tenants, and changing a tenant's settings and status. */
@ApplicationScoped
public class TenantService {

    private static final Logger LOG = Logger.getLogger(TenantService.class);
    /** The actor of changes tenancy applies on billing's word, in the audit log. */
    static final Caller BILLING = new Caller("service:meridian-billing", null, false, false);

    /** A tenant as one member sees it: the tenant and the member's role in it. */
    public record Membership(Tenant tenant, Role role) {
    }

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

    @Transactional
    public Membership create(Caller caller, String name, String homeRegion, String plan) {
        if (caller.isPartner()) {
            throw ApiException.forbidden("A partner creates its customers' tenants with POST"
                    + " /api/v1/partners/{partner_id}/tenants, which makes them the partner's.");
        }
        Tenant tenant = newTenant(caller, name, homeRegion, plan, false);
        var owner = new Member();
        owner.id = UUID.randomUUID();
        owner.tenantId = tenant.id;
        owner.userId = caller.userId();
        owner.email = caller.email() == null ? caller.userId() : caller.email();
        owner.role = Role.OWNER.wireName();
        owner.status = Member.ACTIVE;
        owner.createdAt = tenant.createdAt;
        owner.persist();
        created(caller, tenant);
        return new Membership(tenant, Role.OWNER);
    }

    /**
     * A tenant a partner creates for a customer, in a region the partner may sell in: the partner owns it and acts
     * on it through its credentials (as an admin would); it has no member until the partner invites one.
     */
    @Transactional
    public Membership createForPartner(Caller caller, Partner partner, String name, String homeRegion, String plan) {
        if (!partner.maySellIn(homeRegion)) {
            throw ApiException.invalidField("home_region", "partner " + partner.name + " may sell in "
                    + String.join(", ", partner.regions) + ", not in '" + homeRegion + "'; an operator can add"
                    + " regions to the partner");
        }
        String planId = plan == null ? config.defaultPlan() : plan;
        if (!partner.offers(planId)) {
            throw ApiException.invalidField("plan", "partner " + partner.name + " offers the plans "
                    + String.join(", ", partner.plans) + " (its price list), not '" + planId + "'; name one of them");
        }
        Tenant tenant = newTenant(caller, name, homeRegion, planId, true);
        tenant.partnerId = partner.id;
        created(caller, tenant);
        return new Membership(tenant, Role.ADMIN);
    }

    private void created(Caller caller, Tenant tenant) {
        Map<String, Object> details = new LinkedHashMap<>(Map.of("name", tenant.name, "home_region",
                tenant.homeRegion, "plan", tenant.plan));
        if (tenant.partnerId != null) {
            details.put("owner_partner_id", tenant.partnerId.toString());
        }
        audit.record(caller, tenant.id, "tenant.created", "tenant", tenant.id, details);
        outbox.tenantCreated(tenant.id, tenant.plan, tenant.homeRegion);
    }

    /** {@code fromPriceList}: a partner's price list chose the plan, which operators set, so any plan in it may be. */
    private Tenant newTenant(Caller caller, String name, String homeRegion, String plan, boolean fromPriceList) {
        var region = config.regions().get(homeRegion);
        if (region == null) {
            throw ApiException.invalidField("home_region", "unknown region '" + homeRegion + "'; use one of "
                    + String.join(", ", new TreeSet<>(config.regions().keySet())));
        }
        String planId = plan == null ? config.defaultPlan() : plan;
        if (!config.plans().containsKey(planId)) {
            throw ApiException.invalidField("plan", "unknown plan '" + planId + "'; use one of "
                    + String.join(", ", new TreeSet<>(config.plans().keySet())));
        }
        if (!fromPriceList && !config.plans().get(planId).selfService() && !caller.platformAdmin()) {
            throw ApiException.forbidden("The " + planId + " plan is arranged with Meridian under a contract and"
                    + " cannot be chosen at sign-up. Create the tenant on one of " + String.join(", ", selfServicePlans())
                    + "; a Meridian operator then moves it to " + planId + ".");
        }
        Instant now = StoredTime.now();
        var tenant = new Tenant();
        tenant.id = UUID.randomUUID();
        tenant.name = name.strip();
        tenant.homeRegion = homeRegion;
        tenant.plan = planId;
        tenant.status = Tenant.ACTIVE;
        tenant.transitAllowed = region.transitAllowedByDefault();
        tenant.createdBy = caller.userId();
        tenant.createdAt = now;
        tenant.updatedAt = now;
        session.bindTenant(tenant.id);
        tenant.persist();
        return tenant;
    }

    /** The tenants a partner owns, oldest first. */
    @Transactional
    public List<Tenant> ownedBy(UUID partnerId) {
        session.bindPartner(partnerId);
        return Tenant.list("partnerId = ?1 order by createdAt", partnerId);
    }

    /** A tenant a partner reaches, with the role its {@code partnerRole} acts with, and whether the partner owns it. */
    public record Reached(Tenant tenant, Role role, boolean owned) {
    }

    /**
     * The tenants a partner owns or was granted (while the grant lasts), oldest first, each with the role a caller with
     * partner role {@code partnerRole} acts with there (null: the partner's credential or an operator).
     */
    public List<Reached> reachedBy(UUID partnerId, String partnerRole) {
        session.bindPartner(partnerId);
        Map<UUID, Role> granted = new java.util.HashMap<>();
        PartnerGrant.<PartnerGrant>list("partnerId = ?1 and revokedAt is null", partnerId)
                .forEach(g -> granted.put(g.tenantId, g.role()));
        boolean support = PartnerMember.SUPPORT.equals(partnerRole);
        List<Tenant> all = Tenant.list("partnerId = ?1 or id in ?2 order by createdAt", partnerId,
                granted.isEmpty() ? java.util.Set.of(new UUID(0, 0)) : granted.keySet());
        return all.stream().map(t -> {
            boolean owned = partnerId.equals(t.partnerId);
            Role role = support ? Role.VIEWER : owned ? Role.ADMIN : granted.get(t.id);
            return new Reached(t, role, owned);
        }).toList();
    }

    private TreeSet<String> selfServicePlans() {
        var plans = new TreeSet<String>();
        config.plans().forEach((id, plan) -> {
            if (plan.selfService()) {
                plans.add(id);
            }
        });
        return plans;
    }

    /** The tenants the caller is an active member of, oldest first. */
    @Transactional
    public List<Membership> mine(Caller caller) {
        session.bindUser(caller.userId(), caller.email());
        List<Member> memberships = Member.list("userId = ?1 and status = ?2", caller.userId(), Member.ACTIVE);
        Map<UUID, Role> roles = new LinkedHashMap<>();
        memberships.forEach(m -> roles.put(m.tenantId, m.role()));
        if (roles.isEmpty()) {
            return List.of();
        }
        List<Tenant> tenants = Tenant.list("id in ?1 order by createdAt", roles.keySet());
        return tenants.stream().map(t -> new Membership(t, roles.get(t.id))).toList();
    }

    @Transactional
    public Membership get(Caller caller, UUID tenantId) {
        Member m = access.member(caller, tenantId);
        return new Membership(access.tenant(tenantId), m.role());
    }

    @Transactional
    public Membership update(Caller caller, UUID tenantId, String name, Boolean transitAllowed) {
        Member m = access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        Tenant t = access.tenant(tenantId);
        Map<String, Object> changes = new LinkedHashMap<>();
        if (name != null && !name.strip().equals(t.name)) {
            changes.put("name", name.strip());
            t.name = name.strip();
        }
        if (transitAllowed != null && transitAllowed != t.transitAllowed) {
            changes.put("transit_allowed", transitAllowed);
            t.transitAllowed = transitAllowed;
        }
        if (!changes.isEmpty()) {
            t.updatedAt = StoredTime.now();
            audit.record(caller, tenantId, "tenant.updated", "tenant", tenantId, changes);
            outbox.tenancyChange(TenancyChange.TENANT_UPDATED, tenantId, null, null);
        }
        return new Membership(t, m.role());
    }

    /** Suspends or reactivates a tenant; only platform operators may, and gateways learn of it at once. */
    @Transactional
    public Tenant setStatus(Caller caller, UUID tenantId, String status) {
        if (!caller.platformAdmin()) {
            // Members learn that this is an operator's action; others learn nothing about the tenant.
            access.member(caller, tenantId);
            throw ApiException.forbidden("Only Meridian operators (realm role platform-admin) can suspend or"
                    + " reactivate a tenant.");
        }
        Tenant t = access.tenant(tenantId);
        if (!t.status.equals(status)) {
            t.status = status;
            t.updatedAt = StoredTime.now();
            String type = Tenant.SUSPENDED.equals(status) ? TenancyChange.TENANT_SUSPENDED : TenancyChange.TENANT_ACTIVATED;
            audit.record(caller, tenantId, type, "tenant", tenantId, Map.of("status", status));
            outbox.tenancyChange(type, tenantId, null, null);
        }
        return t;
    }

    /**
     * Applies billing's plan change to tenancy's copy, if it is newer than the copy (by version): the gateways drop
     * the tenant's cached keys ({@code tenant.updated}) and look them up again with the new plan's rate limit.
     * Returns whether anything changed; a replay, a duplicate or an older change returns false and changes nothing.
     */
    @Transactional
    public boolean applyPlan(PlanChange change) {
        if (!config.plans().containsKey(change.plan())) {
            LOG.warnf("billing.plans event %s sets tenant %s to plan '%s', which tenancy has no rate limits for"
                    + " (meridian.tenancy.plans.*); skipped", change.id(), change.tenantId(), change.plan());
            return false;
        }
        session.bindTenant(change.tenantId());
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select plan, plan_version from tenants where id = :t for update")
                .setParameter("t", change.tenantId()).getResultList();
        if (rows.isEmpty()) {
            LOG.warnf("billing.plans event %s names tenant %s, which tenancy does not know; skipped", change.id(),
                    change.tenantId());
            return false;
        }
        String before = (String) rows.getFirst()[0];
        long version = ((Number) rows.getFirst()[1]).longValue();
        if (change.version() <= version) {
            return false;
        }
        em.createNativeQuery("update tenants set plan = :p, plan_version = :v, updated_at = :at where id = :t")
                .setParameter("p", change.plan()).setParameter("v", change.version())
                .setParameter("at", StoredTime.now()).setParameter("t", change.tenantId()).executeUpdate();
        if (change.plan().equals(before)) {
            return false;
        }
        audit.record(BILLING, change.tenantId(), "tenant.plan_changed", "tenant", change.tenantId(),
                Map.of("plan", change.plan(), "previous_plan", before, "billing_version", change.version()));
        outbox.tenancyChange(TenancyChange.TENANT_UPDATED, change.tenantId(), null, null);
        return true;
    }
}
