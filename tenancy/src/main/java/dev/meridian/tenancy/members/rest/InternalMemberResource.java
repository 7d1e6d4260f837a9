package dev.meridian.tenancy.members.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.apikeys.service.KeyLookup;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * For Meridian's gateways only (realm role {@code service-gateway}): whether a signed-in user may call {@code /v1}
 * for a tenant, and as what. The gateway has checked the user's token; it asks here about the membership.
 */
@Path("/internal/v1/tenants/{tenant}/members/by-user/{user}")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.GATEWAY_SERVICE)
@Tag(name = "Internal")
public class InternalMemberResource {

    @Inject
    KeyLookup lookup;

    @GET
    @Operation(summary = "An active member as an API caller: the member id as the key's, the role's key scopes, the"
            + " tenant's status, home region and rate limit (404 when the user is no active member)")
    public KeyLookup.KeyRecord caller(@PathParam("tenant") UUID tenant, @PathParam("user") String user) {
        return lookup.memberOf(tenant, user).orElseThrow(() -> ApiException.notFound("User " + user
                + " is no active member of tenant " + tenant + "."));
    }
}
