package dev.meridian.models.exports.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.Problem;
import dev.meridian.common.tenant.Caller;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.exports.TenantExport;
import dev.meridian.models.exports.controlplane.ControlPlane;
import dev.meridian.models.exports.service.DownloadLinks;
import dev.meridian.models.exports.service.ExportService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Tenant data exports, a management API the gateways route to the tenant's home region (this service there): only an
 * owner of the tenant may ask for, see or download one. The caller is the signed-in member the gateway authenticated
 * ({@code X-Meridian-Tenant-Id}, the membership id as {@code X-Meridian-Key-Id}, {@code X-Meridian-Member-Role}),
 * trusted because the call carries a gateway's service token. Errors are problem+json, as on the rest of {@code /api}.
 */
@Path("/api/v1/tenants/{tenant}/exports")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Exports")
@Blocking
public class ExportsResource {

    static final String OWNER = "owner";

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Progress(int done, int total) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ArchiveView(long bytes, String sha256) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ExportView(String id, String object, UUID tenantId, String region, String status, String phase,
            Progress progress, String createdBy, Instant createdAt, Instant startedAt, Instant finishedAt,
            Instant expiresAt, String error, ArchiveView archive, String downloadUrl) {
    }

    public record ExportList(String object, List<ExportView> data) {
    }

    @Inject
    ExportService exports;
    @Inject
    DownloadLinks links;
    @Inject
    ControlPlane controlPlane;
    @Inject
    BlobStore blobs;
    @Inject
    ModelsConfig config;
    @Inject
    Clock clock;
    @Context
    HttpHeaders headers;

    @POST
    @Operation(summary = "Ask for an export of the tenant's data (owners): 202 with the queued export")
    public Response request(@PathParam("tenant") String tenant) {
        Caller owner = owner(tenant);
        if (!controlPlane.configured()) {
            throw ApiException.unavailable("Exports are not available in " + config.region() + " yet: its models"
                    + " service is not connected to tenancy and billing. An operator must set"
                    + " meridian.models.exports.tenancy-url and billing-url.");
        }
        String member = owner.keyId().map(UUID::toString).orElseThrow();
        TenantExport e = exports.request(owner.tenantId(), member);
        try {
            controlPlane.audit(owner.tenantId(), member, "tenant_export.requested", e.id,
                    Map.of("region", config.region()));
        } catch (ApiException notRecorded) {
            exports.discard(owner.tenantId(), e.id);
            throw notRecorded;
        }
        // relative: the service's own address means nothing to the caller, who came through a gateway
        return Response.accepted(view(e)).header("Location", "/api/v1/tenants/" + e.tenantId + "/exports/" + e.id)
                .build();
    }

    @GET
    @Operation(summary = "The tenant's exports, newest first (owners)")
    public ExportList list(@PathParam("tenant") String tenant) {
        Caller owner = owner(tenant);
        return new ExportList("list", exports.list(owner.tenantId(), ExportService.MAX_LIST).stream()
                .map(this::view).toList());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "An export: status, phase, progress and, once it succeeded, a download_url that expires")
    public ExportView get(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        return view(exports.get(owner(tenant).tenantId(), id));
    }

    @GET
    @Path("/{id}/archive")
    @Produces({"application/zip", MediaType.APPLICATION_JSON})
    @Operation(summary = "The export's ZIP archive, through its signed download_url (owners); 410 once expired")
    public Response archive(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @QueryParam("expires") String expires, @QueryParam("signature") String signature) {
        Caller owner = owner(tenant);
        TenantExport e = exports.downloadable(owner.tenantId(), id, expires, signature, links, clock.instant());
        controlPlane.audit(owner.tenantId(), owner.keyId().map(UUID::toString).orElseThrow(),
                "tenant_export.downloaded", e.id, Map.of("region", config.region(), "bytes", e.archiveBytes,
                        "sha256", e.archiveSha256));
        StreamingOutput body = out -> {
            try (InputStream in = blobs.open(e.blobKey)) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + e.id + ".zip\"")
                .header("Content-Length", e.archiveBytes)
                .build();
    }

    /**
     * The caller, when it is an owner of the tenant in the path, in this tenant's home region: another tenant's path
     * is 404 (as a missing one), a member of another role 403, a call in the wrong region 421.
     */
    private Caller owner(String tenant) {
        Caller caller = Caller.require(headers);
        if (!caller.tenantId().toString().equalsIgnoreCase(tenant.strip())) {
            throw ApiException.of(404, "tenant_not_found", null, "No tenant " + tenant + " among yours.");
        }
        caller.requireHomeRegion(config.region(), "models service");
        String role = headers.getHeaderString(MeridianHeaders.MEMBER_ROLE);
        if (!OWNER.equals(role) || caller.keyId().isEmpty()) {
            throw ApiException.of(403, "owner_required", null, "Only an owner of the tenant may export its data"
                    + (role == null ? " (API keys may not)" : "; your role is " + role) + ". Ask an owner to export"
                    + " it, or to make you one.");
        }
        return caller;
    }

    private ExportView view(TenantExport e) {
        boolean downloadable = TenantExport.SUCCEEDED.equals(e.status) && e.expiresAt != null
                && clock.instant().isBefore(e.expiresAt);
        return new ExportView(e.id, "tenant.export", e.tenantId, config.region(), e.status, e.phase,
                new Progress(e.itemsDone, e.itemsTotal), e.createdBy, e.createdAt, e.startedAt, e.finishedAt,
                e.expiresAt, e.errorMessage,
                e.archiveBytes == null ? null : new ArchiveView(e.archiveBytes, e.archiveSha256),
                downloadable ? links.path(e.tenantId, e.id, e.expiresAt) : null);
    }

    /** Refusals of this management API as problem+json (the rest of this service speaks OpenAI's error body). */
    @ServerExceptionMapper
    public Response refused(ApiException e, UriInfo uri) {
        Problem problem = e.toProblem().withInstance(uri.getPath());
        var response = Response.status(e.status()).type(Problem.MEDIA_TYPE).entity(problem);
        e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", s));
        return response.build();
    }
}
