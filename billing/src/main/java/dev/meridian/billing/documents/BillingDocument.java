package dev.meridian.billing.documents;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A billing document (an invoice, a partner statement) as the figures it shows: a title, facts under it, a table of
 * lines and totals. Rendered as a self-contained HTML document (print it to PDF from any browser) or as a PDF
 * (OpenPDF), with the same figures in both; the documents build one of these and never render themselves. The PDF
 * embeds the subset of {@link DocumentFont} it uses, so Chinese, German and English text shows on any reader.
 *
 * @param language the BCP 47 language of the text (the HTML's {@code lang})
 * @param addressee whom the document is addressed to, first line the heading (empty: no such block)
 * @param notes paragraphs under the totals (e.g. the reverse-charge note)
 */
public record BillingDocument(String language, String title, List<String> facts, List<String> addressee,
        List<Column> columns, List<List<String>> rows, List<Total> totals, List<String> notes) {

    /** An English document with no addressee block and no notes. */
    public BillingDocument(String title, List<String> facts, List<Column> columns, List<List<String>> rows,
            List<Total> totals) {
        this("en", title, facts, List.of(), columns, rows, totals, List.of());
    }

    /** A column of the lines table: numeric columns align right; {@code width} is relative, for the PDF. */
    public record Column(String name, boolean numeric, float width) {
    }

    public record Total(String label, String value) {
    }

    public String html() {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"").append(escape(language))
                .append("\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
                        + "width:100%}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}"
                        + "td.n,th.n{text-align:right}</style></head><body>\n");
        b.append("<h1>").append(escape(title)).append("</h1>\n<p>");
        for (int i = 0; i < facts.size(); i++) {
            b.append(i == 0 ? "" : "<br>").append(escape(facts.get(i)));
        }
        b.append("</p>\n");
        if (!addressee.isEmpty()) {
            b.append("<address>");
            for (int i = 0; i < addressee.size(); i++) {
                String line = escape(addressee.get(i));
                b.append(i == 0 ? "<strong>" + line + "</strong>" : "<br>" + line);
            }
            b.append("</address>\n");
        }
        b.append("<table><thead><tr>");
        for (Column c : columns) {
            b.append(c.numeric() ? "<th class=\"n\">" : "<th>").append(escape(c.name())).append("</th>");
        }
        b.append("</tr></thead><tbody>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            for (int i = 0; i < columns.size(); i++) {
                b.append(columns.get(i).numeric() ? "<td class=\"n\">" : "<td>").append(escape(row.get(i)))
                        .append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n<table>");
        for (Total t : totals) {
            b.append("<tr><th>").append(escape(t.label())).append("</th><td class=\"n\">").append(escape(t.value()))
                    .append("</td></tr>");
        }
        b.append("</table>\n");
        for (String note : notes) {
            b.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    public byte[] pdf() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document doc = new Document(PageSize.A4, 48, 48, 48, 48);
        PdfWriter.getInstance(doc, out);
        doc.open();
        BaseFont base = DocumentFont.get();
        Font titleFont = new Font(base, 16, Font.BOLD);
        Font body = new Font(base, 9);
        Font head = new Font(base, 9, Font.BOLD);
        doc.add(new Paragraph(title, titleFont));
        doc.add(new Paragraph(String.join("\n", facts) + "\n\n", body));
        if (!addressee.isEmpty()) {
            doc.add(new Paragraph(addressee.getFirst(), head));
            doc.add(new Paragraph(String.join("\n", addressee.subList(1, addressee.size())) + "\n\n", body));
        }
        float[] widths = new float[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = columns.get(i).width();
        }
        PdfPTable table = new PdfPTable(widths);
        table.setWidthPercentage(100);
        for (Column c : columns) {
            table.addCell(cell(c.name(), head, Element.ALIGN_LEFT));
        }
        for (List<String> row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                table.addCell(cell(row.get(i), body, columns.get(i).numeric() ? Element.ALIGN_RIGHT
                        : Element.ALIGN_LEFT));
            }
        }
        doc.add(table);
        StringBuilder sums = new StringBuilder("\n");
        for (Total t : totals) {
            sums.append(t.label()).append(' ').append(t.value()).append('\n');
        }
        doc.add(new Paragraph(sums.toString(), head));
        for (String note : notes) {
            doc.add(new Paragraph(note, body));
        }
        doc.close();
        return out.toByteArray();
    }

    private static PdfPCell cell(String text, Font font, int align) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(align);
        cell.setBorderWidth(0.3f);
        return cell;
    }

    /** Minor units as a decimal amount (two decimals for EUR, USD and CNY). */
    public static String amount(long minor, String currency) {
        String sign = minor < 0 ? "-" : "";
        long a = Math.abs(minor);
        return sign + a / 100 + "." + String.format("%02d", a % 100) + " " + currency;
    }

    /** A nano-minor unit price as a decimal of the currency, exactly (no floating point). */
    public static String unitPrice(long nanos, String currency) {
        BigDecimal value = BigDecimal.valueOf(nanos).movePointLeft(11).stripTrailingZeros();
        return value.toPlainString() + " " + currency;
    }

    /** Basis points as a percentage with two decimals (1900 → "19.00 %"). */
    public static String percent(int bp) {
        return bp / 100 + "." + String.format("%02d", bp % 100) + " %";
    }

    /** The days of a period {@code [start, end)}, e.g. "2026-10-01 – 2026-10-31". */
    public static String days(Instant start, Instant end) {
        DateTimeFormatter f = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
        return f.format(start) + " – " + f.format(end.minusSeconds(1));
    }

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
