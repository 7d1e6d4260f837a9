package dev.meridian.tenancy.access;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Decides whether a caller may act on a tenant. A caller who is not an active member gets the same 404 as for a
 * tenant that does not exist, so tenant ids reveal nothing; a member without the needed role gets 403.
 */
@ApplicationScoped
public class Access {

    @Inject
    TenantSession session;
    @Inject
    PartnerReach partners;

    /**
     * Binds the tenant to the transaction and returns the caller's active membership, or 404. A caller who is no
     * member may still reach the tenant through a partner ({@link PartnerReach}): a partner's credential, or one of its
     * people, on a tenant the partner owns or was granted; the membership returned then is not stored, and carries the
     * role the partner acts with. A user's own membership wins over a partner's reach.
     */
    public Member member(Caller caller, UUID tenantId) {
        Optional<PartnerReach.Reach> reached;
        if (caller.isPartner()) {
            PartnerReach.Credential credential = activeCredential(caller);
            reached = partners.reach(credential.partnerId(), credential.id(), null, tenantId);
        } else {
            session.bindTenant(tenantId);
            Optional<Member> own = Member.<Member>find("tenantId = ?1 and userId = ?2 and status = ?3", tenantId,
                    caller.userId(), Member.ACTIVE).firstResultOptional();
            if (own.isPresent()) {
                return own.get();
            }
            reached = partners.on(caller.userId(), tenantId);
        }
        PartnerReach.Reach reach = reached.orElseThrow(() -> notFound(tenantId));
        session.bindTenant(tenantId);
        var m = new Member();
        m.id = reach.actorId();
        m.tenantId = tenantId;
        m.userId = caller.userId();
        m.email = caller.email() != null ? caller.email() : "partner " + reach.partnerId();
        m.role = reach.role().wireName();
        m.status = Member.ACTIVE;
        return m;
    }

    /** As {@link #member}, and the member must hold one of {@code roles}. */
    public Member memberWithRole(Caller caller, UUID tenantId, Role... roles) {
        Member m = member(caller, tenantId);
        requireRole(m.role(), roles);
        return m;
    }

    /** 403 naming the roles that would do, unless {@code actual} is one of {@code allowed}. */
    public static void requireRole(Role actual, Role... allowed) {
        if (!Set.of(allowed).contains(actual)) {
            throw ApiException.forbidden("Your role in this tenant is '" + actual.wireName() + "'; this needs "
                    + Arrays.stream(allowed).map(Role::wireName).collect(Collectors.joining(" or "))
                    + ". Ask an owner of the tenant to change your role.");
        }
    }

    /**
     * The partner a caller's token acts for, once tenancy knows its credential and it is not revoked: a token minted
     * before a revocation stops working at once, not when it expires. 401 otherwise.
     */
    public UUID activePartner(Caller caller) {
        return activeCredential(caller).partnerId();
    }

    /** As {@link #activePartner}, with the credential itself. */
    private PartnerReach.Credential activeCredential(Caller caller) {
        PartnerReach.Credential c = partners.credential(caller.userId())
                .filter(found -> found.partnerId().equals(caller.partnerId()) && !found.revoked())
                .orElseThrow(() -> new ApiException(401, "Unauthorized", "This partner credential is revoked or"
                        + " unknown. Use a current credential of your partner, or ask its administrator for a new"
                        + " one.", null));
        session.bindPartner(c.partnerId());
        return c;
    }

    public Tenant tenant(UUID tenantId) {
        session.bindTenant(tenantId);
        return Tenant.<Tenant>findByIdOptional(tenantId).orElseThrow(() -> notFound(tenantId));
    }

    public static ApiException notFound(UUID tenantId) {
        return ApiException.notFound("No tenant " + tenantId + " that you are a member of.");
    }
}
