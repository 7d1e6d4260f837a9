package dev.meridian.billing.invoices.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.invoices.service.InvoiceDocument;
import dev.meridian.billing.invoices.service.InvoiceService;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import dev.meridian.common.error.ApiException;
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
    @Operation(summary = "The upcoming invoice as an HTML document, marked as a draft in the"
            + " tenant's language (?lang=en|zh|de for another)")
    public String upcomingHtml(@QueryParam("tenant_id") UUID tenantId, @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return InvoiceDocument.html(invoices.upcoming(tenant), language(invoices, tenant, lang));
    }

    @GET
    @Path("/upcoming.pdf")
    @Produces("application/pdf")
    @Operation(summary = "The upcoming invoice as a PDF document, marked as a draft in the"
            + " tenant's language (?lang=en|zh|de for another)")
    public byte[] upcomingPdf(@QueryParam("tenant_id") UUID tenantId, @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return InvoiceDocument.pdf(invoices.upcoming(tenant), language(invoices, tenant, lang));
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
    @Operation(summary = "One finalized invoice as an HTML document in the tenant's"
            + " language (?lang=en|zh|de for another)")
    public String html(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId,
            @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return InvoiceDocument.html(invoices.get(tenant, id), language(invoices, tenant, lang));
    }

    @GET
    @Path("/{id}.pdf")
    @Produces("application/pdf")
    @Operation(summary = "One finalized invoice as a PDF document in the tenant's"
            + " language (?lang=en|zh|de for another)")
    public byte[] pdf(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId,
            @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return InvoiceDocument.pdf(invoices.get(tenant, id), language(invoices, tenant, lang));
    }

    /**
     * The tenant's document language (its billing details'; English without), unless the caller asks for another
     * with {@code ?lang=en|zh|de}.
     */
    static DocumentLanguage language(InvoiceService invoices, UUID tenant, String lang) {
        if (lang != null) {
            return DocumentLanguage.of(lang).orElseThrow(() -> ApiException.invalidField("lang", "'" + lang + "' is"
                    + " not a language invoices are rendered in; use one of "
                    + String.join(", ", DocumentLanguage.codes()) + ", or leave it out for the tenant's own."));
        }
        return DocumentLanguage.orEnglish(invoices.language(tenant));
    }
}
