package dev.meridian.tenancy.regions.rest;

import dev.meridian.tenancy.config.TenancyConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The market regions a tenant can be homed in: public, so the console can show them before sign-in. */
@Path("/api/v1/regions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Regions")
public class RegionResource {

    /** {@code sovereign}: its tenants are served only by its own gateway, never forwarded in or out. */
    public record RegionView(String id, String name, String currency, String gatewayUrl, String residency,
            boolean sovereign) {
    }

    public record RegionList(String object, List<RegionView> data) {
    }

    @Inject
    TenancyConfig config;

    @GET
    @Operation(summary = "Regions directory: ids, currencies, gateway URLs and which are sovereign")
    public RegionList list() {
        return new RegionList("list", config.regions().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> new RegionView(e.getKey(), e.getValue().name(), e.getValue().currency(),
                        e.getValue().gatewayUrl(), e.getValue().residency(), e.getValue().sovereign()))
                .toList());
    }
}
