package dev.meridian.tenancy.access;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
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

    /** Binds the tenant to the transaction and returns the caller's active membership, or 404. */
    public Member member(Caller caller, UUID tenantId) {
        session.bindTenant(tenantId);
        return Member.<Member>find("tenantId = ?1 and userId = ?2 and status = ?3", tenantId, caller.userId(),
                        Member.ACTIVE)
                .firstResultOptional()
                .orElseThrow(() -> notFound(tenantId));
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

    public Tenant tenant(UUID tenantId) {
        session.bindTenant(tenantId);
        return Tenant.<Tenant>findByIdOptional(tenantId).orElseThrow(() -> notFound(tenantId));
    }

    public static ApiException notFound(UUID tenantId) {
        return ApiException.notFound("No tenant " + tenantId + " that you are a member of.");
    }
}
