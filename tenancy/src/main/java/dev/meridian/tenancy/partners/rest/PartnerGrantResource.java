package dev.meridian.tenancy.partners.rest;

import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.partners.service.PartnerGrants;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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

/** A tenant's consent that a partner may act on it (delegated access), and its revocation. */
@Path("/api/v1/tenants/{tenantId}/partner-grants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Partners")
public class PartnerGrantResource {

    public record GrantRequest(@NotNull UUID partnerId, @NotBlank String role) {
    }

    public record GrantView(UUID id, String object, UUID tenantId, UUID partnerId, String partnerName, String role,
            Instant grantedAt, Instant revokedAt) {
        static GrantView of(PartnerGrants.Granted g) {
            return new GrantView(g.grant().id, "partner.grant", g.grant().tenantId, g.grant().partnerId,
                    g.partnerName(), g.grant().role, g.grant().grantedAt, g.grant().revokedAt);
        }
    }

    public record GrantList(String object, List<GrantView> data) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    PartnerGrants grants;

    @POST
    @Operation(summary = "Let a partner act on this tenant with a role (owners); again with another role changes it")
    public Response grant(@PathParam("tenantId") UUID tenantId, @Valid @NotNull GrantRequest r) {
        return Response.status(201).entity(GrantView.of(grants.grant(Caller.of(identity), tenantId, r.partnerId(),
                r.role()))).build();
    }

    @GET
    @Operation(summary = "The partners that may act on this tenant (owners and admins)")
    public GrantList list(@PathParam("tenantId") UUID tenantId) {
        return new GrantList("list", grants.list(Caller.of(identity), tenantId).stream().map(GrantView::of).toList());
    }

    @DELETE
    @Path("/{partnerId}")
    @Operation(summary = "Take a partner's access back (owners and admins); counts at every gateway within a second")
    public GrantView revoke(@PathParam("tenantId") UUID tenantId, @PathParam("partnerId") UUID partnerId) {
        return GrantView.of(grants.revoke(Caller.of(identity), tenantId, partnerId));
    }
}
