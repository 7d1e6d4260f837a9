package dev.meridian.billing.reconciliation.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.oidc.client.filter.OidcClientFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * A gateway's count of the requests it served per tenant and hour, asked with billing's own client-credentials token
 * (the OIDC client filter, {@code quarkus.oidc-client.*}). One client per gateway, built by {@link Reconciliation} with
 * that gateway's base URL.
 */
@OidcClientFilter
@Path("/internal/v1/served-requests")
@Produces(MediaType.APPLICATION_JSON)
public interface ServedRequestsApi {

    /** {@code {"gateway_id": ..., "hours": [{"tenant_id", "hour", "requests"}, ...]}} for [from, to), ISO-8601 UTC. */
    @GET
    JsonNode servedRequests(@QueryParam("from") String from, @QueryParam("to") String to);
}
