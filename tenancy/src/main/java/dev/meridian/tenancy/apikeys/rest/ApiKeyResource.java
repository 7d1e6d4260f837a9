package dev.meridian.tenancy.apikeys.rest;

import dev.meridian.tenancy.ApiKey;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.apikeys.service.ApiKeyService;
import dev.meridian.tenancy.apikeys.service.KeyTerms;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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

@Path("/api/v1/tenants/{tenantId}/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "API keys")
public class ApiKeyResource {

    public record CreateKeyRequest(@NotBlank @Size(max = 200) String name, @NotNull List<String> scopes,
            Instant expiresAt) {
    }

    public record RotateKeyRequest(Long graceSeconds) {
    }

    /** A key as listed: never the secret, never the hash. */
    public record ApiKeyView(UUID id, String object, UUID tenantId, String name, String prefix, List<String> scopes,
            Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt, UUID rotatedFrom) {
        static ApiKeyView of(ApiKey k) {
            return new ApiKeyView(k.id, "api_key", k.tenantId, k.name, k.prefix, List.of(k.scopes), k.createdAt,
                    k.expiresAt, k.lastUsedAt, k.revokedAt, k.rotatedFrom);
        }
    }

    /** The answer to create and rotate: the only place the secret ever appears. */
    public record IssuedKeyView(UUID id, String object, UUID tenantId, String name, String prefix,
            List<String> scopes, Instant createdAt, Instant expiresAt, UUID rotatedFrom, String key) {
        static IssuedKeyView of(ApiKeyService.Issued issued) {
            ApiKey k = issued.key();
            return new IssuedKeyView(k.id, "api_key", k.tenantId, k.name, k.prefix, List.of(k.scopes), k.createdAt,
                    k.expiresAt, k.rotatedFrom, issued.secret());
        }
    }

    public record ApiKeyList(String object, List<ApiKeyView> data) {
    }

    @Inject
    SecurityIdentity identity;
    @Inject
    ApiKeyService keys;

    @POST
    @Operation(summary = "Create a key; its secret (`key`) is in this answer only (owners, admins, developers)")
    public Response create(@PathParam("tenantId") UUID tenantId, @Valid @NotNull CreateKeyRequest request) {
        var issued = keys.create(Caller.of(identity), tenantId, request.name(), request.scopes(), request.expiresAt());
        return Response.status(201).entity(IssuedKeyView.of(issued)).build();
    }

    @GET
    @Operation(summary = "The tenant's keys: prefix, scopes, times; never the secret")
    public ApiKeyList list(@PathParam("tenantId") UUID tenantId) {
        return new ApiKeyList("list", keys.list(Caller.of(identity), tenantId).stream().map(ApiKeyView::of).toList());
    }

    @GET
    @Path("/{keyId}")
    @Operation(summary = "One key")
    public ApiKeyView get(@PathParam("tenantId") UUID tenantId, @PathParam("keyId") UUID keyId) {
        return ApiKeyView.of(keys.get(Caller.of(identity), tenantId, keyId));
    }

    @POST
    @Path("/{keyId}/revoke")
    @Operation(summary = "Revoke a key: every gateway refuses it within a second; revoking twice is harmless")
    public ApiKeyView revoke(@PathParam("tenantId") UUID tenantId, @PathParam("keyId") UUID keyId) {
        return ApiKeyView.of(keys.revoke(Caller.of(identity), tenantId, keyId));
    }

    @POST
    @Path("/{keyId}/rotate")
    @Operation(summary = "Replace a key with a new secret; the old one stops now or after `grace_seconds`")
    public Response rotate(@PathParam("tenantId") UUID tenantId, @PathParam("keyId") UUID keyId,
            RotateKeyRequest request) {
        var grace = KeyTerms.grace(request == null ? null : request.graceSeconds());
        var issued = keys.rotate(Caller.of(identity), tenantId, keyId, grace);
        return Response.status(201).entity(IssuedKeyView.of(issued)).build();
    }
}
