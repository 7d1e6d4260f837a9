package dev.meridian.tenancy.tenants.rest;

import dev.meridian.common.apikey.Scope;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.tenants.service.TenantClosure;
import dev.meridian.tenancy.tenants.service.TenantService;
import dev.meridian.tenancy.tenants.service.TenantService.Membership;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Tenants")
public class TenantResource {

    public record CreateTenantRequest(
            @NotBlank @Size(max = 200) String name,
            @NotBlank String homeRegion,
            String plan) {
    }

    public record UpdateTenantRequest(
            @Size(max = 200) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String name,
            Boolean transitAllowed) {
    }

    /**
     * A tenant as its member sees it: {@code role} is the caller's, and {@code keyScopes} the API key scopes that role
     * may put on a key (what a key form should offer; empty for a viewer, and for an operator, who is no member).
     */
    public record TenantView(UUID id, String object, String name, String homeRegion, String plan, String status,
            boolean transitAllowed, Instant createdAt, Instant updatedAt, String role, List<String> keyScopes,
            Instant closedAt, Instant eraseAfter) {
        public static TenantView of(Tenant t, String role) {
            List<String> scopes = Role.parse(role == null ? "" : role)
                    .map(r -> r.keyScopes().stream().map(Scope::wireName).toList()).orElse(List.of());
            return new TenantView(t.id, "tenant", t.name, t.homeRegion, t.plan, t.status, t.transitAllowed,
                    t.createdAt, t.updatedAt, role, scopes, t.closedAt, t.eraseAfter);
        }

        public static TenantView of(Membership m) {
            return of(m.tenant(), m.role().wireName());
        }
    }

    public record TenantList(String object, List<TenantView> data) {
    }

    /** Closing a tenant: {@code confirm} must be the tenant's exact name. */
    public record CloseTenantRequest(@NotNull(message = "must be the tenant's exact name") String confirm) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    TenantService tenants;
    @Inject
    TenantClosure closure;

    @POST
    @Operation(summary = "Create a tenant; the caller becomes its owner")
    public Response create(@Valid @NotNull CreateTenantRequest request) {
        var created = tenants.create(Caller.of(identity), request.name(), request.homeRegion(), request.plan());
        return Response.status(201).entity(TenantView.of(created)).build();
    }

    @GET
    @Operation(summary = "The tenants the caller is a member of, with the caller's role")
    public TenantList mine() {
        return new TenantList("list", tenants.mine(Caller.of(identity)).stream().map(TenantView::of).toList());
    }

    @GET
    @Path("/{tenantId}")
    @Operation(summary = "One tenant the caller is a member of")
    public TenantView get(@PathParam("tenantId") UUID tenantId) {
        return TenantView.of(tenants.get(Caller.of(identity), tenantId));
    }

    @PATCH
    @Path("/{tenantId}")
    @Operation(summary = "Rename the tenant or change whether its calls may transit other regions (owners, admins)")
    public TenantView update(@PathParam("tenantId") UUID tenantId, @Valid @NotNull UpdateTenantRequest request) {
        return TenantView.of(tenants.update(Caller.of(identity), tenantId, request.name(), request.transitAllowed()));
    }

    @POST
    @Path("/{tenantId}/suspend")
    @Operation(summary = "Suspend the tenant: every gateway refuses its keys within a second (operators)")
    public TenantView suspend(@PathParam("tenantId") UUID tenantId) {
        return TenantView.of(tenants.setStatus(Caller.of(identity), tenantId, Tenant.SUSPENDED), null);
    }

    @POST
    @Path("/{tenantId}/activate")
    @Operation(summary = "Reactivate a suspended tenant (operators)")
    public TenantView activate(@PathParam("tenantId") UUID tenantId) {
        return TenantView.of(tenants.setStatus(Caller.of(identity), tenantId, Tenant.ACTIVE), null);
    }

    @POST
    @Path("/{tenantId}/closure")
    @Operation(summary = "Close the tenant (owners): every key is revoked now, jobs are cancelled and models undeployed"
            + " in every region, and its data is erased after the grace period unless the closure is cancelled")
    public TenantView close(@PathParam("tenantId") UUID tenantId, @Valid @NotNull CloseTenantRequest request) {
        return TenantView.of(closure.close(Caller.of(identity), tenantId, request.confirm()), Role.OWNER.wireName());
    }

    @DELETE
    @Path("/{tenantId}/closure")
    @Operation(summary = "Cancel the tenant's closure within its grace period (owners)")
    public TenantView reopen(@PathParam("tenantId") UUID tenantId) {
        return TenantView.of(closure.cancel(Caller.of(identity), tenantId), Role.OWNER.wireName());
    }
}
