package dev.meridian.billing.invoices.service;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import java.io.ByteArrayOutputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Renders an invoice as a PDF document (OpenPDF), with the same figures as the HTML one. */
public final class InvoicePdf {

    private InvoicePdf() {
    }

    public static byte[] render(InvoiceView invoice) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document doc = new Document(PageSize.A4, 48, 48, 48, 48);
        PdfWriter.getInstance(doc, out);
        doc.open();
        Font title = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 16);
        Font body = FontFactory.getFont(FontFactory.HELVETICA, 9);
        Font head = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 9);
        doc.add(new Paragraph(invoice.number() == null ? "Draft invoice" : "Invoice " + invoice.number(), title));
        DateTimeFormatter day = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
        doc.add(new Paragraph("Tenant " + invoice.tenantId() + "\nPeriod " + day.format(invoice.periodStart()) + " – "
                + day.format(invoice.periodEnd().minusSeconds(1)) + "\nPlan " + invoice.plan() + "\nStatus "
                + invoice.status() + "\n\n", body));
        PdfPTable table = new PdfPTable(new float[] {0.5f, 5f, 1.5f, 2f, 1.6f});
        table.setWidthPercentage(100);
        for (String h : new String[] {"#", "Item", "Quantity", "Unit price", "Amount"}) {
            table.addCell(cell(h, head, Element.ALIGN_LEFT));
        }
        for (var l : invoice.lines()) {
            table.addCell(cell(String.valueOf(l.lineNo()), body, Element.ALIGN_LEFT));
            table.addCell(cell(l.description(), body, Element.ALIGN_LEFT));
            table.addCell(cell(String.valueOf(l.quantity()), body, Element.ALIGN_RIGHT));
            table.addCell(cell(InvoiceDocument.unitPrice(l.unitPriceNanos(), invoice.currency()), body,
                    Element.ALIGN_RIGHT));
            table.addCell(cell(InvoiceDocument.amount(l.amountMinor(), invoice.currency()), body, Element.ALIGN_RIGHT));
        }
        doc.add(table);
        String c = invoice.currency();
        doc.add(new Paragraph("\nSubtotal " + InvoiceDocument.amount(invoice.subtotalMinor(), c)
                + "\nTax (" + invoice.taxRateBp() / 100 + "." + String.format("%02d", invoice.taxRateBp() % 100)
                + " %) " + InvoiceDocument.amount(invoice.taxMinor(), c)
                + "\nTotal " + InvoiceDocument.amount(invoice.totalMinor(), c)
                + "\nCredits applied -" + InvoiceDocument.amount(invoice.creditsAppliedMinor(), c)
                + "\nAmount due " + InvoiceDocument.amount(invoice.amountDueMinor(), c), head));
        doc.close();
        return out.toByteArray();
    }

    private static PdfPCell cell(String text, Font font, int align) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(align);
        cell.setBorderWidth(0.3f);
        return cell;
    }
}
