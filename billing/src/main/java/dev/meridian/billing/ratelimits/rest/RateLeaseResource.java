package dev.meridian.billing.ratelimits.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.ratelimits.service.RateBuckets;
import dev.meridian.common.billing.RateLease;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.common.error.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Slices of API keys' rate limits for gateways (service tokens with realm role {@code service-gateway}). */
@Path(RateLeaseRequest.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.SERVICE)
@Tag(name = "Internal")
public class RateLeaseResource {

    @Inject
    RateBuckets buckets;

    @POST
    @Operation(summary = "Up to `want` tokens of the key's one rate-limit bucket, shared by all gateways")
    public RateLease lease(RateLeaseRequest request) {
        if (request == null) {
            throw ApiException.badRequest("Send a JSON body {tenant_id, key_id, gateway_id, want,"
                    + " requests_per_second, burst}.");
        }
        if (request.tenantId() == null) {
            throw ApiException.invalidField("tenant_id", "required: the tenant the key belongs to");
        }
        if (request.keyId() == null) {
            throw ApiException.invalidField("key_id", "required: the key (or membership) whose limit applies");
        }
        if (request.gatewayId() == null || request.gatewayId().isBlank()) {
            throw ApiException.invalidField("gateway_id", "required: the asking gateway replica's id");
        }
        if (request.requestsPerSecond() <= 0 || request.requestsPerSecond() > RateLeaseRequest.MAX_RATE) {
            throw ApiException.invalidField("requests_per_second", "must be 1 to " + RateLeaseRequest.MAX_RATE
                    + ": the key's plan rate as tenancy gives it");
        }
        if (request.burst() <= 0 || request.burst() > RateLeaseRequest.MAX_RATE) {
            throw ApiException.invalidField("burst", "must be 1 to " + RateLeaseRequest.MAX_RATE
                    + ": the key's plan burst as tenancy gives it");
        }
        if (request.want() <= 0 || request.want() > request.burst()) {
            throw ApiException.invalidField("want", "must be 1 to burst (" + request.burst() + "), got "
                    + request.want());
        }
        return buckets.take(request);
    }
}
