package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.oidc.client.filter.OidcClientFilter;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Tenancy's internal partner directory, asked with billing's own client-credentials token: the OIDC client filter
 * ({@code quarkus.oidc-client.*}, client {@code meridian-billing}) fetches it, reuses it and fetches a new one before
 * it expires. Base URL: {@code quarkus.rest-client.tenancy.url}.
 */
@RegisterRestClient(configKey = "tenancy")
@OidcClientFilter
@Path("/internal/v1/partners")
@Produces(MediaType.APPLICATION_JSON)
public interface PartnerDirectoryApi {

    /** Every partner: {@code {"object": "list", "data": [...]}}. */
    @GET
    JsonNode partners();

    /** One partner's terms, price list and owned tenants; 404 if tenancy knows no such partner. */
    @GET
    @Path("/{partnerId}")
    JsonNode partner(@PathParam("partnerId") UUID partnerId);

    /** A 4xx answer as a refusal, a 5xx answer as a failure ({@link TenancyCalls#exceptionOf}). */
    @ClientExceptionMapper
    static WebApplicationException exceptionOf(Response response) {
        return TenancyCalls.exceptionOf(response);
    }
}
