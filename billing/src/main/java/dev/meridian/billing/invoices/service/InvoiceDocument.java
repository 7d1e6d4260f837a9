package dev.meridian.billing.invoices.service;

import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.documents.BillingDocument.Column;
import dev.meridian.billing.documents.BillingDocument.Total;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.documents.DocumentText;
import dev.meridian.billing.invoices.service.InvoiceService.BillTo;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import dev.meridian.billing.invoices.service.InvoiceService.LineView;
import dev.meridian.billing.pricing.Rating;
import java.util.ArrayList;
import java.util.List;

/**
 * An invoice as a document in the tenant's language: HTML (print it to PDF from any browser) or PDF, with the same
 * figures. Lines are named from what they are (fee, included quantity, a meter's tier), so a finalized invoice reads
 * in whatever language the tenant chooses later; lines finalized before lines had kinds keep their English text.
 */
public final class InvoiceDocument {

    private InvoiceDocument() {
    }

    public static String html(InvoiceView invoice, DocumentLanguage language) {
        return of(invoice, language).html();
    }

    public static byte[] pdf(InvoiceView invoice, DocumentLanguage language) {
        return of(invoice, language).pdf();
    }

    static BillingDocument of(InvoiceView invoice, DocumentLanguage language) {
        DocumentText t = new DocumentText(language);
        String c = invoice.currency();
        List<Column> columns = List.of(new Column(t.text("column.no"), false, 0.5f),
                new Column(t.text("column.item"), false, 5f), new Column(t.text("column.quantity"), true, 1.5f),
                new Column(t.text("column.unit_price"), true, 2f), new Column(t.text("column.amount"), true, 1.6f));
        List<List<String>> rows = invoice.lines().stream()
                .map(l -> List.of(String.valueOf(l.lineNo()), item(t, invoice.plan(), l), t.quantity(l.quantity()),
                        t.unitPrice(l.unitPriceNanos(), c), t.money(l.amountMinor(), c)))
                .toList();
        List<String> facts = new ArrayList<>();
        facts.add(t.text("fact.tenant", invoice.tenantId().toString()));
        facts.add(t.text("fact.period", t.days(invoice.periodStart(), invoice.periodEnd())));
        facts.add(t.text("fact.plan", t.name("plan.", invoice.plan())));
        facts.add(t.text("fact.status", t.text("status." + invoice.status())));
        if (invoice.finalizedAt() != null) {
            facts.add(t.text("fact.issued", t.date(invoice.finalizedAt())));
        }
        List<Total> totals = new ArrayList<>();
        totals.add(new Total(t.text("total.subtotal"), t.money(invoice.subtotalMinor(), c)));
        totals.add(new Total(taxLabel(t, invoice), t.money(invoice.taxMinor(), c)));
        totals.add(new Total(t.text("total.total"), t.money(invoice.totalMinor(), c)));
        if (invoice.trialCreditsAppliedMinor() > 0) {
            totals.add(new Total(t.text("total.trial"), t.money(-invoice.trialCreditsAppliedMinor(), c)));
        }
        totals.add(new Total(t.text("total.credits"), t.money(-invoice.creditsAppliedMinor(), c)));
        totals.add(new Total(t.text("total.amount_due"), t.money(invoice.amountDueMinor(), c)));
        List<String> notes = invoice.reverseCharge() ? List.of(t.text("note.reverse_charge")) : List.of();
        String title = invoice.number() == null ? t.text("invoice.draft.title")
                : t.text("invoice.title", invoice.number());
        return new BillingDocument(language.code(), title, facts, addressee(t, invoice.billTo()), columns, rows,
                totals, notes);
    }

    /** The addressee block: heading, legal name, street lines, postal code and city, country, VAT id. */
    static List<String> addressee(DocumentText t, BillTo to) {
        if (to == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        lines.add(t.text("bill_to"));
        lines.add(to.legalName());
        lines.addAll(to.addressLines());
        String place = String.join(" ", java.util.stream.Stream.of(to.postalCode(), to.city())
                .filter(s -> s != null && !s.isEmpty()).toList());
        if (!place.isEmpty()) {
            lines.add(place);
        }
        lines.add(t.country(to.country()));
        if (to.vatId() != null) {
            lines.add(t.text("vat_id", to.vatId()));
        }
        return lines;
    }

    private static String taxLabel(DocumentText t, InvoiceView invoice) {
        if (invoice.reverseCharge()) {
            return t.text("total.vat.reverse_charge");
        }
        if (invoice.taxCountry() != null) {
            return t.text("total.vat", t.percent(invoice.taxRateBp()), t.country(invoice.taxCountry()));
        }
        return t.text("total.tax", t.percent(invoice.taxRateBp()));
    }

    private static String item(DocumentText t, String plan, LineView l) {
        if (l.kind() == null) {
            return l.description();
        }
        String meter = l.meter() == null ? null : t.name("meter.", l.meter());
        return switch (l.kind()) {
            case Rating.FEE -> t.text("line.fee", t.name("plan.", plan));
            case Rating.INCLUDED -> t.text("line.included", meter);
            default -> l.tier() == null ? meter
                    : l.tierUpTo() == null ? t.text("line.tier.last", meter, String.valueOf(l.tier()))
                            : t.text("line.tier", meter, String.valueOf(l.tier()), t.quantity(l.tierUpTo()));
        };
    }
}
