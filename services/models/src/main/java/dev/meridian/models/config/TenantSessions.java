package dev.meridian.models.config;

import dev.meridian.common.tenant.TenantSession;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;

/** The shared row-level security binder over this service's persistence unit. */
public class TenantSessions {

    @Produces
    @Singleton
    TenantSession tenantSession(EntityManager em) {
        return new TenantSession(em);
    }
}
