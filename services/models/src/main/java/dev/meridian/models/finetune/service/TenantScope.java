package dev.meridian.models.finetune.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.UUID;

/**
 * Tells PostgreSQL whose rows the current transaction may touch; the row-level security policies of the
 * fine-tuning tables read it. Scoped to the transaction, so a pooled connection never carries it over.
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
