package dev.meridian.tenancy.audit.service;

import dev.meridian.tenancy.AuditEvent;
import dev.meridian.tenancy.access.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes the audit trail in the same transaction as the change, and reads it newest first. */
@ApplicationScoped
public class AuditLog {

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(Caller actor, UUID tenantId, String action, String targetType, Object targetId,
            Map<String, Object> details) {
        var e = new AuditEvent();
        e.id = UUID.randomUUID();
        e.tenantId = tenantId;
        e.actorId = actor.userId();
        e.actorEmail = actor.email();
        e.action = action;
        e.targetType = targetType;
        e.targetId = String.valueOf(targetId);
        e.details = details;
        e.occurredAt = Instant.now();
        e.persist();
    }

    /** Newest first; {@code before} (exclusive) pages back in time. The tenant must already be bound. */
    public List<AuditEvent> list(UUID tenantId, Instant before, int limit) {
        return AuditEvent.<AuditEvent>find("tenantId = ?1 and occurredAt < ?2 order by occurredAt desc, id desc",
                tenantId, before == null ? Instant.parse("9999-12-31T00:00:00Z") : before).page(0, limit).list();
    }
}
