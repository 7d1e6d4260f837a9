package dev.meridian.billing.leases.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.billing.leases.service.LeaseService;
import dev.meridian.billing.leases.service.TenantLocks;
import dev.meridian.common.billing.LeaseRequest;
import dev.meridian.common.billing.LeaseSettlement;
import dev.meridian.common.billing.QuotaLease;
import dev.meridian.common.error.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Quota leases for gateways (service tokens with realm role {@code service-gateway}). */
@Path(LeaseRequest.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.SERVICE)
@Tag(name = "Internal")
public class LeaseResource {

    @Inject
    LeaseService leases;
    @Inject
    TenantLocks locks;
    @Inject
    BillingConfig config;

    @POST
    @Operation(summary = "A slice of the tenant's (or key's) remaining budget and free-tier quota, or blocked")
    public QuotaLease lease(LeaseRequest request) {
        if (request == null) {
            throw ApiException.badRequest("Send a JSON body {tenant_id, key_id?, gateway_id, region}.");
        }
        if (request.tenantId() == null) {
            throw ApiException.invalidField("tenant_id", "required: the tenant whose budget applies");
        }
        if (request.gatewayId() == null || request.gatewayId().isBlank()) {
            throw ApiException.invalidField("gateway_id", "required: the asking gateway replica's id");
        }
        if (request.region() == null || !config.regions().containsKey(request.region())) {
            throw ApiException.invalidField("region", "required: the asking gateway's region, one of "
                    + String.join(", ", config.regions().keySet()));
        }
        // One decision per tenant at a time in this replica before a connection is taken: the row lock in the
        // database does the same across replicas, but waiting on it would hold a pooled connection per waiter.
        var lock = locks.of(request.tenantId());
        lock.lock();
        try {
            return leases.lease(request);
        } finally {
            lock.unlock();
        }
    }

    @POST
    @Path("/{leaseId}/settle")
    @Operation(summary = "Frees the unspent rest of a lease; settling twice is harmless")
    public Response settle(@PathParam("leaseId") UUID leaseId, LeaseSettlement settlement) {
        if (settlement == null) {
            throw ApiException.badRequest("Send a JSON body {spent_nanos, spent_quantities}.");
        }
        leases.settle(leaseId, settlement);
        return Response.noContent().build();
    }
}
