package dev.meridian.inference.tenant;

import io.quarkus.oidc.client.filter.OidcClientFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The region's model registry (the models service's {@code /internal/v1} API), called with this service's own
 * client-credentials token: {@link OidcClientFilter} takes it from the default {@code quarkus.oidc-client}, renews it
 * before it expires and after a 401 ({@code quarkus.rest-client-oidc-filter.refresh-on-unauthorized}).
 * {@link ModelRegistry} builds it, and only where {@code meridian.inference.tenant-models.registry-url} is set.
 */
@RegisterRestClient(configKey = "model-registry")
@OidcClientFilter
@Path("/internal/v1/tenants/{tenant}/models/{model}")
@Produces(MediaType.APPLICATION_JSON)
public interface ModelRegistryApi {

    /** The model's deployed versions; a 404 when the tenant has none deployed (or no such model). */
    @GET
    @Path("/deployed")
    DeployedModel deployed(@PathParam("tenant") UUID tenant, @PathParam("model") String model);
}
