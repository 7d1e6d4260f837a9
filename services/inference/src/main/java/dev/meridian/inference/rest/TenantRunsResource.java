package dev.meridian.inference.rest;

import dev.meridian.inference.runtime.TenantRuns;
import dev.meridian.inference.tenant.TenantModels;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' view of the pool tenant models run on (service token): threads, queue, time limit, counters. */
@Path("/internal/v1/tenant-runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal")
public class TenantRunsResource {

    @Inject
    TenantModels models;

    @GET
    @Operation(summary = "Threads, queue and time limit of tenant-model calls; calls completed, stopped and refused")
    public TenantRuns.Stats stats() {
        return models.runStats();
    }
}
