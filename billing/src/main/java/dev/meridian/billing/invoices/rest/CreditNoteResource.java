package dev.meridian.billing.invoices.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.invoices.service.CreditNoteDocument;
import dev.meridian.billing.invoices.service.CreditNotes;
import dev.meridian.billing.invoices.service.CreditNotes.CreditNoteView;
import dev.meridian.billing.invoices.service.InvoiceService;
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

@Path("/api/v1/billing/credit-notes")
@Authenticated
@Tag(name = "Billing")
public class CreditNoteResource {

    public record CreditNoteList(String object, List<CreditNoteView> data) {
    }

    @Inject
    BillingAccess access;
    @Inject
    CreditNotes creditNotes;
    @Inject
    InvoiceService invoices;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The tenant's credit notes, newest first")
    public CreditNoteList list(@QueryParam("tenant_id") UUID tenantId) {
        return new CreditNoteList("list", creditNotes.list(access.readableTenant(tenantId)));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One credit note")
    public CreditNoteView get(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId) {
        return creditNotes.get(access.readableTenant(tenantId), id);
    }

    @GET
    @Path("/{id}.html")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One credit note as an HTML document in the tenant's language (?lang=en|zh|de for another)")
    public String html(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId,
            @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return CreditNoteDocument.html(creditNotes.get(tenant, id), InvoiceResource.language(invoices, tenant, lang));
    }

    @GET
    @Path("/{id}.pdf")
    @Produces("application/pdf")
    @Operation(summary = "One credit note as a PDF document in the tenant's language (?lang=en|zh|de for another)")
    public byte[] pdf(@PathParam("id") UUID id, @QueryParam("tenant_id") UUID tenantId,
            @QueryParam("lang") String lang) {
        UUID tenant = access.readableTenant(tenantId);
        return CreditNoteDocument.pdf(creditNotes.get(tenant, id), InvoiceResource.language(invoices, tenant, lang));
    }
}
