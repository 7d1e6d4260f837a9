package dev.meridian.models.exports.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.oidc.client.filter.OidcClientFilter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Tenancy's internal export API, called with this service's own client-credentials token ({@code meridian-models},
 * realm role {@code service-models}); {@link OidcClientFilter} fetches and renews it. Answers are kept as JSON trees:
 * the archive holds them as tenancy gave them.
 */
@RegisterRestClient(configKey = "tenancy-export")
@OidcClientFilter
@Path("/internal/v1/tenants/{tenant}/export")
@Produces(MediaType.APPLICATION_JSON)
public interface TenancyExportApi {

    @GET
    @Path("/members")
    JsonNode members(@PathParam("tenant") UUID tenant);

    @GET
    @Path("/api-keys")
    JsonNode apiKeys(@PathParam("tenant") UUID tenant);

    /** A page of the audit trail, oldest first: {@code {data: [...], next}}. */
    @GET
    @Path("/audit-events")
    JsonNode auditEvents(@PathParam("tenant") UUID tenant, @QueryParam("after") String after,
            @QueryParam("limit") int limit);

    @POST
    @Path("/audit-events")
    @Consumes(MediaType.APPLICATION_JSON)
    JsonNode record(@PathParam("tenant") UUID tenant, Map<String, Object> event);
}
