package dev.meridian.tenancy.audit.rest;

import dev.meridian.tenancy.AuditEvent;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.errors.ApiException;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/tenants/{tenantId}/audit-events")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Audit log")
public class AuditResource {

    public record Actor(String id, String email) {
    }

    public record AuditEventView(UUID id, Actor actor, String action, String targetType, String targetId,
            Map<String, Object> details, Instant occurredAt) {
        static AuditEventView of(AuditEvent e) {
            return new AuditEventView(e.id, new Actor(e.actorId, e.actorEmail), e.action, e.targetType, e.targetId,
                    e.details, e.occurredAt);
        }
    }

    public record AuditPage(String object, List<AuditEventView> data, boolean hasMore) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    Access access;
    @Inject
    AuditLog audit;

    @GET
    @Transactional
    @Operation(summary = "Changes made to the tenant, newest first (owners and admins)")
    public AuditPage list(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") Integer limit,
            @QueryParam("before") String before) {
        access.memberWithRole(Caller.of(identity), tenantId, Role.OWNER, Role.ADMIN);
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > 200) {
            throw ApiException.invalidField("limit", "must be between 1 and 200");
        }
        Instant cursor;
        try {
            cursor = before == null ? null : Instant.parse(before);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField("before", "must be an ISO-8601 time such as 2026-01-31T12:00:00Z");
        }
        List<AuditEvent> events = audit.list(tenantId, cursor, size + 1);
        boolean more = events.size() > size;
        return new AuditPage("list", events.stream().limit(size).map(AuditEventView::of).toList(), more);
    }
}
