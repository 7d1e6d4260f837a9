package dev.meridian.billing.details.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.details.service.BillingDetailsService;
import dev.meridian.billing.details.service.BillingDetailsService.Details;
import dev.meridian.billing.details.service.BillingDetailsService.DetailsView;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Whom the tenant's invoices are addressed to, in which language, and so how they are taxed. */
@Path("/api/v1/billing/details")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Billing")
public class BillingDetailsResource {

    @Inject
    BillingAccess access;
    @Inject
    BillingDetailsService details;

    @GET
    @Operation(summary = "The tenant's billing details (legal name, address, country, VAT id, invoice language) and"
            + " the tax they lead to; 404 while none are set")
    public DetailsView get(@QueryParam("tenant_id") UUID tenantId) {
        UUID tenant = access.readableTenant(tenantId);
        return details.get(tenant, access.region());
    }

    @PUT
    @Operation(summary = "Sets the tenant's billing details (owner, admin or billing): {legal_name, address_lines?,"
            + " postal_code?, city?, country, vat_id?, language?: en|zh|de}; replaces them whole")
    public DetailsView put(@QueryParam("tenant_id") UUID tenantId, Details request) {
        UUID tenant = access.detailsEditor(tenantId);
        return details.put(tenant, access.region(), request, access.actor());
    }
}
