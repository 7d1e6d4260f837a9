package dev.meridian.billing.partners.service;

import static dev.meridian.billing.documents.BillingDocument.amount;

import dev.meridian.billing.PartnerStatement;
import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.documents.BillingDocument.Column;
import dev.meridian.billing.documents.BillingDocument.Total;
import dev.meridian.billing.partners.service.PartnerStatements.StatementView;
import java.util.List;

/** A partner statement as a document: HTML or PDF, with the same figures, rendered as invoices are. */
public final class StatementDocument {

    private static final List<Column> COLUMNS = List.of(new Column("Tenant", false, 4f),
            new Column("Region", false, 1.5f), new Column("Invoices", true, 1f), new Column("Net invoiced", true, 2f),
            new Column("Credit notes", true, 2f), new Column("Rate", true, 1.2f), new Column("Amount", true, 2f));

    private StatementDocument() {
    }

    public static String html(StatementView statement) {
        return of(statement).html();
    }

    public static byte[] pdf(StatementView statement) {
        return of(statement).pdf();
    }

    static BillingDocument of(StatementView s) {
        String c = s.currency();
        List<List<String>> rows = s.lines().stream()
                .map(l -> List.of(l.tenantName() + " (" + l.tenantId() + ")", l.homeRegion(),
                        String.valueOf(l.invoiceIds().size()), amount(l.netInvoicedMinor(), c),
                        amount(l.creditNotesMinor(), c), BillingDocument.percent(l.rateBp()),
                        amount(l.amountMinor(), c)))
                .toList();
        boolean payable = PartnerStatement.PAYABLE_TO_PARTNER.equals(s.amountDirection());
        return new BillingDocument("Partner statement " + s.number(),
                List.of("Partner " + s.partnerName() + " (" + s.partnerId() + ")",
                        "Programme " + s.programme(),
                        "Period " + BillingDocument.days(s.periodStart(), s.periodEnd()),
                        "Currency " + c, "Status " + s.status()),
                COLUMNS, rows,
                List.of(new Total("Net invoiced", amount(s.netInvoicedMinor(), c)),
                        new Total("Credit notes", "−" + amount(s.creditNotesMinor(), c)),
                        new Total(payable ? "Payable to the partner" : "Receivable from the partner",
                                amount(s.amountMinor(), c))));
    }
}
