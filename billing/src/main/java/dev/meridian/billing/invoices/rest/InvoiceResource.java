package dev.meridian.billing.invoices.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.invoices.service.InvoiceDocument;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/billing/invoices")
@Authenticated
@Tag(name = "Billing")
public class InvoiceResource {

    public record InvoiceList(String object, List<InvoiceView> data) {
    }

    @Inject
    BillingAccess access;
    @Inject
    InvoiceService invoices;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The current month's draft (usage so far) and the finalized invoices, newest first")
    public InvoiceList list(@QueryParam("tenant_id") UUID tenantId) {
        return new InvoiceList("list", invoices.list(access.readableTenant(tenantId)));
    }

    @GET
    @Path("/upcoming")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The upcoming invoice: this month's draft, usage so far priced (changes until the month ends)")
    public InvoiceView upcoming(@QueryParam("tenant_id") UUID tenantId) {
        return invoices.upcoming(access.readableTenant(tenantId));
    }

    @GET
    @Path("/upcoming.html")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The upcoming invoice as an HTML document, marked as a draft")
    public String upcomingHtml(@QueryParam("tenant_id") UUID tenantId) {
        return InvoiceDocument.html(invoices.upcoming(access.readableTenant(tenantId)));
    }

    @GET
    @Path("/upcoming.pdf")
    @Produces("application/pdf")
    @Operation(summary = "The upcoming invoice as a PDF document, marked as a draft")
    public byte[] upcomingPdf(@QueryParam("tenant_id") UUID tenantId) {
        return InvoiceDocument.pdf(invoices.upcoming(access.readableTenant(tenantId)));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One finalized invoice with its lines")
    public InvoiceView get(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId) {
        return invoices.get(access.readableTenant(tenantId), id);
    }

    @GET
    @Path("/{id}.html")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One finalized invoice as an HTML document")
    public String html(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId) {
        return InvoiceDocument.html(invoices.get(access.readableTenant(tenantId), id));
    }

    @GET
    @Path("/{id}.pdf")
    @Produces("application/pdf")
    @Operation(summary = "One finalized invoice as a PDF document")
    public byte[] pdf(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId) {
        return InvoiceDocument.pdf(invoices.get(access.readableTenant(tenantId), id));
    }
}
