package dev.meridian.billing.invoices.service;

import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.documents.BillingDocument.Column;
import dev.meridian.billing.documents.BillingDocument.Total;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.documents.DocumentText;
import dev.meridian.billing.invoices.service.CreditNotes.CreditNoteView;
import java.util.ArrayList;
import java.util.List;

/** A credit note as a document in the tenant's language, addressed as the invoice it corrects was. */
public final class CreditNoteDocument {

    private CreditNoteDocument() {
    }

    public static String html(CreditNoteView note, DocumentLanguage language) {
        return of(note, language).html();
    }

    public static byte[] pdf(CreditNoteView note, DocumentLanguage language) {
        return of(note, language).pdf();
    }

    static BillingDocument of(CreditNoteView note, DocumentLanguage language) {
        DocumentText t = new DocumentText(language);
        String c = note.currency();
        String invoice = note.invoiceNumber() == null ? String.valueOf(note.invoiceId()) : note.invoiceNumber();
        List<String> facts = new ArrayList<>();
        facts.add(t.text("fact.tenant", note.tenantId().toString()));
        facts.add(t.text("fact.invoice", invoice));
        facts.add(t.text("fact.issued", t.date(note.createdAt())));
        List<Column> columns = List.of(new Column(t.text("column.no"), false, 0.5f),
                new Column(t.text("column.item"), false, 8f), new Column(t.text("column.amount"), true, 2f));
        String reason = note.reason() == null ? t.text("fact.invoice", invoice) : t.text("fact.reason", note.reason());
        List<List<String>> rows = List.of(List.of("1", reason, t.money(note.amountMinor(), c)));
        List<String> notes = new ArrayList<>();
        notes.add(t.text("note.credit_note"));
        if (note.reverseCharge()) {
            notes.add(t.text("note.reverse_charge"));
        }
        String number = note.number() == null ? note.id().toString() : note.number();
        return new BillingDocument(language.code(), t.text("credit_note.title", number), facts,
                InvoiceDocument.addressee(t, note.billTo()), columns, rows,
                List.of(new Total(t.text("total.credited"), t.money(note.amountMinor(), c))), notes);
    }
}
