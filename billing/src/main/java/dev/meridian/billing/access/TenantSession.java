package dev.meridian.billing.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.UUID;

/**
 * Tells PostgreSQL whose billing data the current transaction may touch (row-level security reads
 * {@code app.tenant_id}); {@code set_config(..., true)} scopes it to the transaction. Call before the first query.
 */
@ApplicationScoped
public class TenantSession {

    @Inject
    EntityManager em;

    public void bindTenant(UUID tenantId) {
        em.createNativeQuery("select set_config('app.tenant_id', :value, true)")
                .setParameter("value", tenantId.toString())
                .getSingleResult();
    }
}
