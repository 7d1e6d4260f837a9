package dev.meridian.billing.invoices.service;

import static dev.meridian.billing.documents.BillingDocument.amount;

import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.documents.BillingDocument.Column;
import dev.meridian.billing.documents.BillingDocument.Total;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import java.util.List;

/** An invoice as a document: HTML (print it to PDF from any browser) or PDF, with the same figures. */
public final class InvoiceDocument {

    private static final List<Column> COLUMNS = List.of(new Column("#", false, 0.5f), new Column("Item", false, 5f),
            new Column("Quantity", true, 1.5f), new Column("Unit price", true, 2f), new Column("Amount", true, 1.6f));

    private InvoiceDocument() {
    }

    public static String html(InvoiceView invoice) {
        return of(invoice).html();
    }

    public static byte[] pdf(InvoiceView invoice) {
        return of(invoice).pdf();
    }

    static BillingDocument of(InvoiceView invoice) {
        String c = invoice.currency();
        List<List<String>> rows = invoice.lines().stream()
                .map(l -> List.of(String.valueOf(l.lineNo()), l.description(), String.valueOf(l.quantity()),
                        BillingDocument.unitPrice(l.unitPriceNanos(), c), amount(l.amountMinor(), c)))
                .toList();
        return new BillingDocument(invoice.number() == null ? "Draft invoice" : "Invoice " + invoice.number(),
                List.of("Tenant " + invoice.tenantId(),
                        "Period " + BillingDocument.days(invoice.periodStart(), invoice.periodEnd()),
                        "Plan " + invoice.plan(), "Status " + invoice.status()),
                COLUMNS, rows,
                List.of(new Total("Subtotal", amount(invoice.subtotalMinor(), c)),
                        new Total("Tax (" + BillingDocument.percent(invoice.taxRateBp()) + ")",
                                amount(invoice.taxMinor(), c)),
                        new Total("Total", amount(invoice.totalMinor(), c)),
                        new Total("Credits applied", "−" + amount(invoice.creditsAppliedMinor(), c)),
                        new Total("Amount due", amount(invoice.amountDueMinor(), c))));
    }
}
