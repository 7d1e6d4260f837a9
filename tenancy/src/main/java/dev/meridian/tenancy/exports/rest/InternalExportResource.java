package dev.meridian.tenancy.exports.rest;

import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.exports.service.TenantRecordsForExport;
import dev.meridian.tenancy.exports.service.TenantRecordsForExport.AuditPage;
import dev.meridian.tenancy.exports.service.TenantRecordsForExport.AuditRecord;
import dev.meridian.tenancy.exports.service.TenantRecordsForExport.KeyRecord;
import dev.meridian.tenancy.exports.service.TenantRecordsForExport.MemberRecord;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * For the regional models services only (realm role {@code service-models}): a tenant export's share of tenancy's
 * records, and the export's own audit events. The models service of the tenant's home region builds the archive.
 */
@Path("/internal/v1/tenants/{tenant}/export")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.MODELS_SERVICE)
@Tag(name = "Internal")
public class InternalExportResource {

    public record ListOf<T>(List<T> data) {
    }

    /** An export's audit event: the member who acted (the owner), the action, the export and what to add. */
    public record ExportEvent(@NotNull UUID memberId, @NotBlank String action, @NotBlank String exportId,
            Map<String, Object> details) {
    }

    @Inject
    TenantRecordsForExport records;

    @GET
    @Path("/members")
    @Operation(summary = "The tenant's members and invitations")
    public ListOf<MemberRecord> members(@PathParam("tenant") UUID tenant) {
        return new ListOf<>(records.members(tenant));
    }

    @GET
    @Path("/api-keys")
    @Operation(summary = "The tenant's API keys: metadata only, never the secret or its hash")
    public ListOf<KeyRecord> apiKeys(@PathParam("tenant") UUID tenant) {
        return new ListOf<>(records.apiKeys(tenant));
    }

    @GET
    @Path("/audit-events")
    @Operation(summary = "The tenant's audit events, oldest first, a page at a time (after: the previous page's next)")
    public AuditPage auditEvents(@PathParam("tenant") UUID tenant, @QueryParam("after") String after,
            @QueryParam("limit") @DefaultValue("500") int limit) {
        return records.auditEvents(tenant, after, Math.max(1, Math.min(limit, TenantRecordsForExport.MAX_PAGE)));
    }

    @POST
    @Path("/audit-events")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record an export's event (tenant_export.requested, tenant_export.downloaded)")
    public Response record(@PathParam("tenant") UUID tenant, @Valid @NotNull ExportEvent event) {
        AuditRecord recorded = records.record(tenant, event.memberId(), event.action(), event.exportId(),
                event.details());
        return Response.status(201).entity(recorded).build();
    }
}
