package dev.meridian.billing.exports.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import dev.meridian.billing.usage.service.UsageQueries;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * For the regional models services only (realm role {@code service-models}): a tenant export's share of billing, read
 * only: the hourly usage figures and the invoices (the current draft and the finalized ones).
 */
@Path("/internal/v1/tenants/{tenant}/export")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.MODELS_SERVICE)
@Tag(name = "Internal")
public class InternalExportResource {

    public record ListOf<T>(List<T> data) {
    }

    @Inject
    UsageQueries usage;
    @Inject
    InvoiceService invoices;

    @GET
    @Path("/usage-hourly")
    @Operation(summary = "The tenant's usage per hour, meter, model and key, as billing recorded it")
    public ListOf<UsageQueries.Figure> usageHourly(@PathParam("tenant") UUID tenant) {
        return new ListOf<>(usage.usage(tenant, Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"),
                EnumSet.of(UsageQueries.Dimension.HOUR, UsageQueries.Dimension.MODEL, UsageQueries.Dimension.KEY)));
    }

    @GET
    @Path("/invoices")
    @Operation(summary = "The tenant's invoices: the current period's draft and the finalized ones, newest first")
    public ListOf<InvoiceView> invoices(@PathParam("tenant") UUID tenant) {
        return new ListOf<>(invoices.list(tenant));
    }
}
