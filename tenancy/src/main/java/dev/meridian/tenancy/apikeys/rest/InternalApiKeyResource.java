package dev.meridian.tenancy.apikeys.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.apikeys.service.ApiKeyService;
import dev.meridian.tenancy.apikeys.service.KeyLookup;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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

/**
 * For Meridian's gateways only (service tokens with realm role {@code service-gateway}): a key lookup answers any
 * tenant's key hash and scopes, which no other service needs.
 */
@Path("/internal/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.GATEWAY_SERVICE)
@Tag(name = "Internal")
public class InternalApiKeyResource {

    public record KeyUse(@NotNull UUID keyId, @NotNull UUID tenantId, @NotNull Instant at) {
    }

    public record LastUsedReport(@NotNull @Size(max = 10_000) List<@Valid @NotNull KeyUse> used) {
    }

    @Inject
    KeyLookup lookup;
    @Inject
    ApiKeyService keys;

    @GET
    @Path("/{prefix}")
    @Operation(summary = "The key with this public prefix: hash, scopes, tenant status, home region, rate limit")
    public KeyLookup.KeyRecord byPrefix(@PathParam("prefix") String prefix) {
        return lookup.byPrefix(prefix).orElseThrow(() -> ApiException.notFound("No API key with prefix " + prefix));
    }

    @POST
    @Path("/last-used")
    @Operation(summary = "Gateways report when they saw keys used")
    public Response lastUsed(@Valid @NotNull LastUsedReport report) {
        keys.recordUses(report.used().stream()
                .map(u -> new ApiKeyService.KeyUse(u.tenantId(), u.keyId(), u.at()))
                .toList());
        return Response.noContent().build();
    }
}
