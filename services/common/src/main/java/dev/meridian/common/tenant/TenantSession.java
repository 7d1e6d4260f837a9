package dev.meridian.common.tenant;

import jakarta.persistence.EntityManager;
import java.util.Locale;
import java.util.UUID;

/**
 * Tells PostgreSQL whose data the current transaction may touch, for every service whose tables have row-level
 * security: the policies read these settings, and {@code set_config(..., true)} scopes them to the transaction, so a
 * pooled connection never carries them over. Call inside a transaction, before the first query on tenant data. Not a
 * bean here (not every service that indexes this library has an {@link EntityManager}): a service produces one over
 * its own.
 */
public final class TenantSession {

    private final EntityManager em;

    public TenantSession(EntityManager em) {
        this.em = em;
    }

    /** Lets the transaction see one tenant's rows ({@code app.tenant_id}). */
    public void bindTenant(UUID tenantId) {
        set("app.tenant_id", tenantId.toString());
    }

    /** Lets the transaction see one user's own memberships and invitations across tenants. */
    public void bindUser(String userId, String email) {
        set("app.user_id", userId);
        set("app.user_email", email == null ? "" : email.toLowerCase(Locale.ROOT));
    }

    /** Lets the transaction see the rows of one user known only by id (their partner memberships, say). */
    public void bindUserId(String userId) {
        set("app.user_id", userId);
    }

    /** Lets the transaction see one partner's rows and the tenants it owns. */
    public void bindPartner(UUID partnerId) {
        set("app.partner_id", partnerId.toString());
    }

    /** Lets the transaction see every partner (operators only: the caller's platform-admin role is checked first). */
    public void bindOperator() {
        set("app.operator", "on");
    }

    private void set(String name, String value) {
        em.createNativeQuery("select set_config(:name, :value, true)")
                .setParameter("name", name)
                .setParameter("value", value)
                .getSingleResult();
    }
}
