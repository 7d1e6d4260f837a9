package dev.meridian.tenancy.access;

import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.PartnerGrant;
import dev.meridian.tenancy.PartnerMember;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How far a partner reaches into a tenant: whether a partner's credential or one of its people may act on the tenant,
 * and as what. A partner acts on the tenants it owns (it created them) and on those that granted it delegated access
 * (while the grant lasts):
 * <ul>
 *   <li>its credential, and a {@code partner-admin}: as an admin of an owned tenant, with the granted role on a
 *       granted one;</li>
 *   <li>a {@code partner-support} member: as a viewer, whatever the tenant.</li>
 * </ul>
 * Binds the partner to the transaction when it finds one, so that row-level security admits the partner's rows and the
 * audit trail records the action as the partner's. Call inside a transaction.
 */
@ApplicationScoped
public class PartnerReach {

    /**
     * A partner acting on a tenant: {@code actorId} is the credential's or the partner member's id (the gateway meters
     * under it), {@code partnerRole} the member's partner role, or null for a credential.
     */
    public record Reach(UUID partnerId, UUID actorId, Role role, String partnerRole, boolean owned) {
    }

    /** A partner credential, looked up by its token's subject. */
    public record Credential(UUID id, UUID partnerId, boolean revoked) {
    }

    @Inject
    TenantSession session;
    @Inject
    EntityManager em;

    /** The credential whose service-account user is {@code subject}, if any (revoked or not). */
    public Optional<Credential> credential(String subject) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select id, partner_id, revoked_at from"
                + " partner_credential_by_subject(:s)").setParameter("s", subject).getResultList();
        return rows.stream().findFirst().map(r -> new Credential((UUID) r[0], (UUID) r[1], r[2] != null));
    }

    /** The partner memberships of a user, oldest first. */
    public List<PartnerMember> memberships(String userId) {
        session.bindUserId(userId);
        return PartnerMember.list("userId = ?1 order by createdAt", userId);
    }

    /**
     * How the caller with token subject {@code subject} reaches {@code tenantId} through a partner: through the
     * credential it is (a revoked one reaches nothing), else through each partner it is a member of.
     */
    public Optional<Reach> on(String subject, UUID tenantId) {
        Optional<Credential> credential = credential(subject);
        if (credential.isPresent()) {
            Credential c = credential.get();
            return c.revoked() ? Optional.empty() : reach(c.partnerId(), c.id(), null, tenantId);
        }
        for (PartnerMember m : memberships(subject)) {
            Optional<Reach> found = reach(m.partnerId, m.id, m.role, tenantId);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** How partner {@code partnerId} reaches the tenant, for an actor with the given partner role (null: credential). */
    public Optional<Reach> reach(UUID partnerId, UUID actorId, String partnerRole, UUID tenantId) {
        session.bindPartner(partnerId);
        Optional<Tenant> tenant = Tenant.findByIdOptional(tenantId);
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        boolean support = PartnerMember.SUPPORT.equals(partnerRole);
        if (partnerId.equals(tenant.get().partnerId)) {
            return Optional.of(new Reach(partnerId, actorId, support ? Role.VIEWER : Role.ADMIN, partnerRole, true));
        }
        return PartnerGrant.<PartnerGrant>find("tenantId = ?1 and partnerId = ?2 and revokedAt is null", tenantId,
                        partnerId).firstResultOptional()
                .map(g -> new Reach(partnerId, actorId, support ? Role.VIEWER : g.role(), partnerRole, false));
    }
}
