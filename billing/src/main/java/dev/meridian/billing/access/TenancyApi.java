package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Tenancy's public API as the console user or partner sees it: billing forwards the caller's own bearer token
 * ({@code authorization} is {@code Bearer <token>}), so tenancy answers for that caller. Base URL:
 * {@code quarkus.rest-client.tenancy.url} (billing's {@code meridian.billing.tenancy-url}).
 */
@RegisterRestClient(configKey = "tenancy")
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public interface TenancyApi {

    /** The tenant with the caller's {@code role}; 403 or 404 to a non-member. */
    @GET
    @Path("/tenants/{tenantId}")
    JsonNode tenant(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("tenantId") UUID tenantId);

    /** The partner, with the member's partner {@code role} (none for a credential); 401, 403 or 404 to others. */
    @GET
    @Path("/partners/{partnerId}")
    JsonNode partner(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("partnerId") UUID partnerId);

    /** A 4xx answer as a refusal, a 5xx answer as a failure ({@link TenancyCalls#exceptionOf}). */
    @ClientExceptionMapper
    static WebApplicationException exceptionOf(Response response) {
        return TenancyCalls.exceptionOf(response);
    }
}
