package dev.meridian.tenancy.partners.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.PartnerGrant;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Delegated access: a customer tenant's owner lets an existing partner act on the tenant with a role (admin,
 * developer, billing or viewer — never owner), and any owner or admin takes it back. The partner then reaches the
 * tenant as {@link dev.meridian.tenancy.access.PartnerReach} says; a revocation counts from its commit in tenancy and
 * at every gateway within a second ({@code partner_grant.revoked}). Granting earns the partner no money: statements
 * count only the tenants a partner owns.
 */
@ApplicationScoped
public class PartnerGrants {

    /** A grant with the name of the partner it is for. */
    public record Granted(PartnerGrant grant, String partnerName) {
    }

    @Inject
    Access access;
    @Inject
    TenantSession session;
    @Inject
    AuditLog audit;
    @Inject
    Outbox outbox;

    /** Grants (or changes the role of the live grant to) {@code partnerId}; owners only. */
    @Transactional
    public Granted grant(Caller caller, UUID tenantId, UUID partnerId, String role) {
        if (caller.isPartner()) {
            throw ApiException.forbidden("A partner cannot grant itself access; an owner of the tenant grants it.");
        }
        access.memberWithRole(caller, tenantId, Role.OWNER);
        Role granted = Role.parse(role == null ? "" : role.strip()).filter(r -> r != Role.OWNER)
                .orElseThrow(() -> ApiException.invalidField("role", "must be admin, developer, billing or viewer"
                        + " (a partner is never an owner); got '" + role + "'"));
        String partnerName = partnerName(partnerId).orElseThrow(() -> ApiException.invalidField("partner_id",
                "no partner " + partnerId + "; ask the partner for its partner id"));
        Optional<PartnerGrant> live = live(tenantId, partnerId);
        PartnerGrant g;
        if (live.isPresent()) {
            g = live.get();
            if (g.role().equals(granted)) {
                return new Granted(g, partnerName);
            }
            g.role = granted.wireName();
        } else {
            g = new PartnerGrant();
            g.id = UUID.randomUUID();
            g.tenantId = tenantId;
            g.partnerId = partnerId;
            g.role = granted.wireName();
            g.grantedBy = caller.userId();
            g.grantedAt = StoredTime.now();
            g.persist();
        }
        audit.record(caller, tenantId, "partner_grant.granted", "partner", partnerId, details(partnerName, granted));
        // gateways forget a refusal they cached for the partner, and its calls with an old role's scopes
        outbox.tenancyChange(TenancyChange.PARTNER_GRANT_GRANTED, tenantId, g.id, null);
        return new Granted(g, partnerName);
    }

    /** The tenant's live grants, oldest first (owners and admins). */
    @Transactional
    public List<Granted> list(Caller caller, UUID tenantId) {
        access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        return PartnerGrant.<PartnerGrant>list("tenantId = ?1 and revokedAt is null order by grantedAt", tenantId)
                .stream().map(g -> new Granted(g, partnerName(g.partnerId).orElse(null))).toList();
    }

    /** Takes the partner's access back (owners and admins); 404 when there is no live grant. */
    @Transactional
    public Granted revoke(Caller caller, UUID tenantId, UUID partnerId) {
        if (caller.isPartner()) {
            throw ApiException.forbidden("The tenant's owners and admins revoke a partner's access.");
        }
        access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        PartnerGrant g = live(tenantId, partnerId).orElseThrow(() -> ApiException.notFound("Partner " + partnerId
                + " has no access to this tenant."));
        g.revokedAt = StoredTime.now();
        g.revokedBy = caller.userId();
        String partnerName = partnerName(partnerId).orElse(null);
        audit.record(caller, tenantId, "partner_grant.revoked", "partner", partnerId, details(partnerName, g.role()));
        outbox.tenancyChange(TenancyChange.PARTNER_GRANT_REVOKED, tenantId, g.id, null);
        return new Granted(g, partnerName);
    }

    private static Optional<PartnerGrant> live(UUID tenantId, UUID partnerId) {
        return PartnerGrant.<PartnerGrant>find("tenantId = ?1 and partnerId = ?2 and revokedAt is null", tenantId,
                partnerId).firstResultOptional();
    }

    /**
     * A partner's name, read in a transaction of its own that sees every partner: a tenant's members may name any
     * partner to grant it access, but see no partner's rows in their own transaction.
     */
    private Optional<String> partnerName(UUID partnerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            session.bindOperator();
            return Partner.<Partner>findByIdOptional(partnerId).map(p -> p.name);
        });
    }

    private static Map<String, Object> details(String partnerName, Role role) {
        var d = new LinkedHashMap<String, Object>();
        if (partnerName != null) {
            d.put("partner_name", partnerName);
        }
        d.put("role", role.wireName());
        return d;
    }
}
