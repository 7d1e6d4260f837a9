package dev.meridian.models.exports.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.oidc.client.filter.OidcClientFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Billing's internal export API (read only), called as {@link TenancyExportApi} is. */
@RegisterRestClient(configKey = "billing-export")
@OidcClientFilter
@Path("/internal/v1/tenants/{tenant}/export")
@Produces(MediaType.APPLICATION_JSON)
public interface BillingExportApi {

    @GET
    @Path("/usage-hourly")
    JsonNode usageHourly(@PathParam("tenant") UUID tenant);

    @GET
    @Path("/invoices")
    JsonNode invoices(@PathParam("tenant") UUID tenant);
}
