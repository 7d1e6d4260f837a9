package dev.meridian.tenancy.audit.rest;

import dev.meridian.tenancy.AuditEvent;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/tenants/{tenantId}/audit-events")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Audit log")
public class AuditResource {

    public record Actor(String id, String email) {
    }

    /** {@code partnerId}: the partner the action was taken for ("partner P for tenant T"), if any. */
    public record AuditEventView(UUID id, UUID tenantId, Actor actor, String action, String targetType,
            String targetId, Map<String, Object> details, UUID partnerId, Instant occurredAt) {
        public static AuditEventView of(AuditEvent e) {
            return new AuditEventView(e.id, e.tenantId, new Actor(e.actorId, e.actorEmail), e.action, e.targetType,
                    e.targetId, e.details, e.partnerId, e.occurredAt);
        }
    }

    /** A page, newest first; pass {@code next_before} as {@code before} to get the next, older one. */
    public record AuditPage(String object, List<AuditEventView> data, boolean hasMore, String nextBefore) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    AuditLog audit;

    @GET
    @Operation(summary = "Changes made to the tenant, newest first (owners and admins)")
    public AuditPage list(@PathParam("tenantId") UUID tenantId,
            @Parameter(description = "Page size, 1 to 200 (default 50)") @QueryParam("limit") String limit,
            @Parameter(description = "The next_before of the previous page, or an ISO-8601 time")
            @QueryParam("before") String before,
            @Parameter(description = "Only this action (api_key.created), or a family of them (api_key.)")
            @QueryParam("action") String action,
            @Parameter(description = "Only changes made by the member with this e-mail")
            @QueryParam("actor") String actor) {
        var page = audit.page(Caller.of(identity), tenantId, limit, before, action, actor);
        return new AuditPage("list", page.events().stream().map(AuditEventView::of).toList(), page.hasMore(),
                page.nextBefore());
    }
}
