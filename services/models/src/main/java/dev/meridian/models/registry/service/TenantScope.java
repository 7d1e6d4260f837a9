package dev.meridian.models.registry.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.UUID;

/**
 * Tells PostgreSQL whose rows the current transaction may touch (the row-level security policies read
 * {@code app.tenant_id}); {@code set_config(..., true)} scopes it to the transaction. Call first in a transaction.
 */
@ApplicationScoped
public class TenantScope {

    @Inject
    EntityManager em;

    public void bind(UUID tenantId) {
        em.createNativeQuery("select set_config('app.tenant_id', :t, true)").setParameter("t", tenantId.toString())
                .getSingleResult();
    }
}
