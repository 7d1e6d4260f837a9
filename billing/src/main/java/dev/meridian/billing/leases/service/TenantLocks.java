package dev.meridian.billing.leases.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/** Striped in-process locks by tenant (fair, so a busy tenant's callers are served in arrival order). */
@ApplicationScoped
public class TenantLocks {

    private final ReentrantLock[] stripes = new ReentrantLock[256];

    public TenantLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock(true);
        }
    }

    public ReentrantLock of(UUID tenantId) {
        return stripes[Math.floorMod(tenantId.hashCode(), stripes.length)];
    }
}
