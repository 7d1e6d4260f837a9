package dev.meridian.billing.invoices.service;

import dev.meridian.billing.Invoice;
import dev.meridian.billing.WalletEntry;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.invoices.service.InvoiceService.BillTo;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A tenant's credit notes: corrections of finalized invoices, credited to its wallet (issued by operators). */
@ApplicationScoped
public class CreditNotes {

    /**
     * A credit note as the API shows it; {@code number} null on credit notes issued before they had numbers. The
     * invoice's addressee and tax are those of the invoice it corrects.
     */
    public record CreditNoteView(UUID id, String object, String number, UUID tenantId, UUID invoiceId,
            String invoiceNumber, long amountMinor, String currency, String reason, Instant createdAt, BillTo billTo,
            boolean reverseCharge) {
    }

    @Inject
    Accounts accounts;
    @Inject
    InvoiceService invoices;

    @Transactional
    public List<CreditNoteView> list(UUID tenantId) {
        accounts.find(tenantId);
        return WalletEntry.<WalletEntry>list("tenantId = ?1 and kind = ?2 order by createdAt desc", tenantId,
                WalletEntry.CREDIT_NOTE).stream().map(this::view).toList();
    }

    @Transactional
    public CreditNoteView get(UUID tenantId, UUID id) {
        accounts.find(tenantId);
        return WalletEntry.<WalletEntry>find("id = ?1 and tenantId = ?2 and kind = ?3", id, tenantId,
                        WalletEntry.CREDIT_NOTE).firstResultOptional().map(this::view)
                .orElseThrow(() -> ApiException.notFound("No credit note " + id + " of this tenant."));
    }

    private CreditNoteView view(WalletEntry e) {
        Invoice invoice = Invoice.<Invoice>find("id = ?1 and tenantId = ?2", e.invoiceId, e.tenantId)
                .firstResult();
        var corrected = invoice == null ? null : invoices.get(e.tenantId, invoice.id);
        return new CreditNoteView(e.id, "credit_note", e.number, e.tenantId, e.invoiceId,
                invoice == null ? null : invoice.number, e.amountMinor, e.currency, e.reason, e.createdAt,
                corrected == null ? null : corrected.billTo(), corrected != null && corrected.reverseCharge());
    }
}
