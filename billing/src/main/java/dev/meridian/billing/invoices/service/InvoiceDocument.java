package dev.meridian.billing.invoices.service;

import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;

/** Renders an invoice as a self-contained HTML document (print it to PDF from any browser). */
public final class InvoiceDocument {

    private InvoiceDocument() {
    }

    public static String html(InvoiceView invoice) {
        StringBuilder b = new StringBuilder(4096);
        String title = invoice.number() == null ? "Draft invoice" : "Invoice " + invoice.number();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
                        + "width:100%}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}"
                        + "td.n,th.n{text-align:right}</style></head><body>\n");
        b.append("<h1>").append(escape(title)).append("</h1>\n<p>Tenant ").append(invoice.tenantId())
                .append("<br>Period ").append(day(invoice)).append("<br>Plan ").append(escape(invoice.plan()))
                .append("<br>Status ").append(escape(invoice.status())).append("</p>\n");
        b.append("<table><thead><tr><th>#</th><th>Item</th><th class=\"n\">Quantity</th>"
                + "<th class=\"n\">Unit price</th><th class=\"n\">Amount</th></tr></thead><tbody>\n");
        for (var l : invoice.lines()) {
            b.append("<tr><td>").append(l.lineNo()).append("</td><td>").append(escape(l.description()))
                    .append("</td><td class=\"n\">").append(l.quantity()).append("</td><td class=\"n\">")
                    .append(unitPrice(l.unitPriceNanos(), invoice.currency())).append("</td><td class=\"n\">")
                    .append(amount(l.amountMinor(), invoice.currency())).append("</td></tr>\n");
        }
        b.append("</tbody></table>\n<table>");
        row(b, "Subtotal", amount(invoice.subtotalMinor(), invoice.currency()));
        row(b, "Tax (" + invoice.taxRateBp() / 100 + "." + String.format("%02d", invoice.taxRateBp() % 100) + " %)",
                amount(invoice.taxMinor(), invoice.currency()));
        row(b, "Total", amount(invoice.totalMinor(), invoice.currency()));
        row(b, "Credits applied", "−" + amount(invoice.creditsAppliedMinor(), invoice.currency()));
        row(b, "Amount due", amount(invoice.amountDueMinor(), invoice.currency()));
        b.append("</table>\n</body></html>\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String label, String value) {
        b.append("<tr><th>").append(escape(label)).append("</th><td class=\"n\">").append(escape(value))
                .append("</td></tr>");
    }

    private static String day(InvoiceView i) {
        DateTimeFormatter f = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
        return f.format(i.periodStart()) + " – " + f.format(i.periodEnd().minusSeconds(1));
    }

    /** Minor units as a decimal amount (two decimals for EUR, USD and CNY). */
    static String amount(long minor, String currency) {
        String sign = minor < 0 ? "-" : "";
        long a = Math.abs(minor);
        return sign + a / 100 + "." + String.format("%02d", a % 100) + " " + currency;
    }

    /** A nano-minor unit price as a decimal of the currency, exactly (no floating point). */
    static String unitPrice(long nanos, String currency) {
        java.math.BigDecimal value = java.math.BigDecimal.valueOf(nanos).movePointLeft(11).stripTrailingZeros();
        return value.toPlainString() + " " + currency;
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
