package dev.meridian.inference.rest;

import dev.meridian.inference.tenant.SessionCache;
import dev.meridian.inference.tenant.TenantModels;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' view of the tenant-model session cache (service token): budget, use, loads, hits, evictions. */
@Path("/internal/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal")
public class SessionsResource {

    @Inject
    TenantModels models;

    @GET
    @Operation(summary = "Memory budget and counters of the tenant-model session LRU")
    public SessionCache.Stats stats() {
        return models.stats();
    }
}
