package dev.meridian.tenancy.exports.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.ApiKey;
import dev.meridian.tenancy.AuditEvent;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a tenant export (built by the tenant's home-region models service) holds of tenancy's records: members, API
 * keys without their hashes, and the audit trail; and the audit events of the export itself. Each read is bound to the
 * one tenant (row-level security) and names it.
 */
@ApplicationScoped
public class TenantRecordsForExport {

    /** The actions a models service may record: its exports, nothing else. */
    public static final Set<String> ACTIONS = Set.of("tenant_export.requested", "tenant_export.downloaded");
    public static final int MAX_PAGE = 1000;

    public record MemberRecord(UUID id, String userId, String email, String role, String status, String invitedBy,
            Instant createdAt) {
    }

    /** An API key's metadata: never its secret or hash. */
    public record KeyRecord(UUID id, String name, String prefix, List<String> scopes, String createdBy,
            Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt, UUID rotatedFrom) {
    }

    public record AuditRecord(UUID id, String actorId, String actorEmail, String action, String targetType,
            String targetId, Map<String, Object> details, UUID partnerId, Instant occurredAt) {
    }

    /** A page of audit events, oldest first; {@code next} is the cursor of the following page, if any. */
    public record AuditPage(List<AuditRecord> data, String next) {
    }

    @Inject
    TenantSession session;
    @Inject
    AuditLog audit;

    @Transactional
    public List<MemberRecord> members(UUID tenantId) {
        session.bindTenant(tenantId);
        return Member.<Member>list("tenantId = ?1 order by createdAt, id", tenantId).stream()
                .map(m -> new MemberRecord(m.id, m.userId, m.email, m.role, m.status, m.invitedBy, m.createdAt))
                .toList();
    }

    @Transactional
    public List<KeyRecord> apiKeys(UUID tenantId) {
        session.bindTenant(tenantId);
        return ApiKey.<ApiKey>list("tenantId = ?1 order by createdAt, id", tenantId).stream()
                .map(k -> new KeyRecord(k.id, k.name, k.prefix, k.scopes == null ? List.of() : Arrays.asList(k.scopes),
                        k.createdBy, k.createdAt, k.expiresAt, k.lastUsedAt, k.revokedAt, k.rotatedFrom))
                .toList();
    }

    /** The tenant's audit events oldest first, {@code limit} from the cursor {@code after} (a previous page's next). */
    @Transactional
    public AuditPage auditEvents(UUID tenantId, String after, int limit) {
        session.bindTenant(tenantId);
        List<AuditEvent> events;
        if (after == null || after.isBlank()) {
            events = AuditEvent.<AuditEvent>find("tenantId = ?1 order by occurredAt, id", tenantId)
                    .page(0, limit + 1).list();
        } else {
            AuditEvent from = AuditEvent.<AuditEvent>find("tenantId = ?1 and id = ?2", tenantId, parse(after))
                    .firstResultOptional().orElseThrow(() -> ApiException.invalidField("after", "no audit event "
                            + after + " in this tenant; use the next of the previous page"));
            events = AuditEvent.<AuditEvent>find("tenantId = ?1 and (occurredAt > ?2 or (occurredAt = ?2 and id > ?3))"
                    + " order by occurredAt, id", tenantId, from.occurredAt, from.id).page(0, limit + 1).list();
        }
        boolean more = events.size() > limit;
        List<AuditEvent> page = more ? events.subList(0, limit) : events;
        return new AuditPage(page.stream().map(e -> new AuditRecord(e.id, e.actorId, e.actorEmail, e.action,
                e.targetType, e.targetId, e.details, e.partnerId, e.occurredAt)).toList(),
                more ? page.getLast().id.toString() : null);
    }

    /**
     * Records an export's {@code action} in the tenant's audit trail as done by the member {@code memberId} (the owner
     * the gateway authenticated): 404 when no such member of the tenant, 400 for an action that is not an export's.
     */
    @Transactional
    public AuditRecord record(UUID tenantId, UUID memberId, String action, String exportId,
            Map<String, Object> details) {
        if (!ACTIONS.contains(action)) {
            throw ApiException.invalidField("action", "must be one of " + String.join(", ", ACTIONS.stream()
                    .sorted().toList()) + "; got '" + action + "'");
        }
        session.bindTenant(tenantId);
        Member member = Member.<Member>find("tenantId = ?1 and id = ?2", tenantId, memberId).firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("No member " + memberId + " in tenant " + tenantId + "."));
        audit.record(new Caller(member.userId, member.email, true, false), tenantId, action, "tenant_export",
                exportId, details == null ? Map.of() : details);
        AuditEvent e = AuditEvent.<AuditEvent>find("tenantId = ?1 and action = ?2 and targetId = ?3"
                + " order by occurredAt desc", tenantId, action, exportId).firstResult();
        return new AuditRecord(e.id, e.actorId, e.actorEmail, e.action, e.targetType, e.targetId, e.details,
                e.partnerId, e.occurredAt);
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("after", "must be the next of the previous page (an event id); got '"
                    + id + "'");
        }
    }
}
