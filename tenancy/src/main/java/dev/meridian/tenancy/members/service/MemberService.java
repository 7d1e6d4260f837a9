package dev.meridian.tenancy.members.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.ApiKey;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Inviting people into a tenant, changing their roles, removing them; a tenant always keeps an owner. */
@ApplicationScoped
public class MemberService {

    @Inject
    Access access;
    @Inject
    TenantSession session;
    @Inject
    AuditLog audit;
    @Inject
    Outbox outbox;

    @Transactional
    public List<Member> list(Caller caller, UUID tenantId) {
        access.member(caller, tenantId);
        return Member.list("tenantId = ?1 order by createdAt", tenantId);
    }

    @Transactional
    public Member invite(Caller caller, UUID tenantId, String email, Role role) {
        Member inviter = access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        requireMayGrant(inviter.role(), role);
        String normalized = email.strip().toLowerCase(Locale.ROOT);
        if (Member.count("tenantId = ?1 and lower(email) = ?2", tenantId, normalized) > 0) {
            throw ApiException.conflict(normalized + " is already a member or invited; change their role instead.");
        }
        var m = new Member();
        m.id = UUID.randomUUID();
        m.tenantId = tenantId;
        m.email = normalized;
        m.role = role.wireName();
        m.status = Member.INVITED;
        m.invitedBy = caller.userId();
        m.createdAt = StoredTime.now();
        try {
            m.persistAndFlush();
        } catch (PersistenceException e) {
            // a concurrent invitation of the same address won the race for the unique (tenant_id, lower(email))
            throw ApiException.conflict(normalized + " is already a member or invited; change their role instead.");
        }
        audit.record(caller, tenantId, "member.invited", "member", m.id, Map.of("email", normalized, "role", m.role));
        return m;
    }

    @Transactional
    public Member changeRole(Caller caller, UUID tenantId, UUID memberId, Role role) {
        Member actor = access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        Member m = find(tenantId, memberId);
        if (m.role() == role) {
            return m;
        }
        requireMayGrant(actor.role(), role);
        requireMayGrant(actor.role(), m.role());
        if (isLastOwner(m, activeOwners(tenantId))) {
            throw ApiException.conflict("This is the tenant's last owner and cannot be demoted. Make another member"
                    + " owner first, then change this member's role.");
        }
        String old = m.role;
        m.role = role.wireName();
        audit.record(caller, tenantId, "member.role_changed", "member", m.id, Map.of("from", old, "to", m.role));
        outbox.tenancyChange(TenancyChange.MEMBER_ROLE_CHANGED, tenantId, m.id, null);
        return m;
    }

    @Transactional
    public void remove(Caller caller, UUID tenantId, UUID memberId) {
        Member actor = access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        Member m = find(tenantId, memberId);
        requireMayGrant(actor.role(), m.role());
        if (isLastOwner(m, activeOwners(tenantId))) {
            throw ApiException.conflict("This is the tenant's last owner and cannot be removed. Make another member"
                    + " owner first.");
        }
        m.delete();
        forget(tenantId, m);
        audit.record(caller, tenantId, "member.removed", "member", m.id,
                Map.of("member", AuditLog.pseudonym(m.id), "role", m.role));
        outbox.tenancyChange(TenancyChange.MEMBER_REMOVED, tenantId, m.id, null);
    }

    /**
     * Removes a former member's personal data from what the tenant sees: the audit trail, the keys, invitations and
     * tenant they created keep {@link AuditLog#pseudonym} instead of their subject and e-mail address.
     */
    private void forget(UUID tenantId, Member m) {
        String pseudonym = AuditLog.pseudonym(m.id);
        audit.pseudonymise(tenantId, m.userId, m.email, pseudonym);
        if (m.userId != null) {
            ApiKey.update("createdBy = ?1 where tenantId = ?2 and createdBy = ?3", pseudonym, tenantId, m.userId);
            Member.update("invitedBy = ?1 where tenantId = ?2 and invitedBy = ?3", pseudonym, tenantId, m.userId);
            Tenant.update("createdBy = ?1 where id = ?2 and createdBy = ?3", pseudonym, tenantId, m.userId);
        }
    }

    /** Pending invitations addressed to the caller's e-mail, in any tenant. */
    @Transactional
    public List<Member> invitations(Caller caller) {
        session.bindUser(caller.userId(), caller.email());
        if (caller.email() == null) {
            return List.of();
        }
        return Member.list("lower(email) = ?1 and status = ?2 order by createdAt",
                caller.email().toLowerCase(Locale.ROOT), Member.INVITED);
    }

    @Transactional
    public Member accept(Caller caller, UUID invitationId) {
        session.bindUser(caller.userId(), caller.email());
        Member m = Member.<Member>findByIdOptional(invitationId)
                .filter(i -> Member.INVITED.equals(i.status))
                .filter(i -> caller.email() != null && i.email.equalsIgnoreCase(caller.email()))
                .orElseThrow(() -> ApiException.notFound("No pending invitation " + invitationId + " for "
                        + caller.email() + "."));
        if (!caller.emailVerified()) {
            // anyone may sign up with any address: only a verified one proves the caller is the invitee
            throw ApiException.forbidden("Verify your e-mail address " + caller.email() + " first: follow the link"
                    + " in the mail Meridian's sign-in sent you (signing in again sends a new one), then accept again."
                    + " Invitations are accepted only from verified addresses.");
        }
        session.bindTenant(m.tenantId);
        if (Member.count("tenantId = ?1 and userId = ?2", m.tenantId, caller.userId()) > 0) {
            throw ApiException.conflict("You are already a member of this tenant.");
        }
        m.userId = caller.userId();
        m.status = Member.ACTIVE;
        try {
            Member.flush();
        } catch (PersistenceException e) {
            // the unique (tenant_id, user_id): the caller joined this tenant another way meanwhile
            throw ApiException.conflict("You are already a member of this tenant.");
        }
        audit.record(caller, m.tenantId, "member.accepted", "member", m.id, Map.of("email", m.email, "role", m.role));
        return m;
    }

    private Member find(UUID tenantId, UUID memberId) {
        return Member.<Member>find("tenantId = ?1 and id = ?2", tenantId, memberId).firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("No member " + memberId + " in this tenant."));
    }

    /** Only owners make owners or take the role away; admins manage everyone else. */
    static void requireMayGrant(Role actor, Role role) {
        if (role == Role.OWNER && actor != Role.OWNER) {
            throw ApiException.forbidden("Only an owner can grant or take away the owner role; your role is '"
                    + actor.wireName() + "'. Ask an owner of the tenant.");
        }
    }

    /** Whether {@code m} is the only active owner, whom the tenant cannot lose. */
    static boolean isLastOwner(Member m, long activeOwners) {
        return m.role() == Role.OWNER && Member.ACTIVE.equals(m.status) && activeOwners <= 1;
    }

    private static long activeOwners(UUID tenantId) {
        return Member.count("tenantId = ?1 and role = ?2 and status = ?3", tenantId, Role.OWNER.wireName(),
                Member.ACTIVE);
    }
}
