package dev.meridian.billing.invoices.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.invoices.service.InvoiceService.BillTo;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import dev.meridian.billing.invoices.service.InvoiceService.LineView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Invoices as documents in English, Chinese and German: the words from the bundles, money, numbers and dates as each
 * language writes them, in the HTML and, read back by text extraction, in the PDF (whose embedded font has the
 * Chinese glyphs).
 */
class InvoiceDocumentTest {

    private static final String NBSP = "\u00a0";

    /** October 2026, finalized 1 November: 1,234.56 EUR of tokens, 19 % German VAT, 10.00 trial, 5.00 credits. */
    private static InvoiceView october(String currency, boolean reverseCharge) {
        List<LineView> lines = List.of(
                new LineView(1, "requests", "requests, included in plan", 1000, 0, 0, "included", null, null),
                new LineView(2, "input_tokens", "input_tokens, tier 2 (up to 10000000 tokens)", 9_000_000, 1500,
                        1350, "usage", 2, 10_000_000L),
                new LineView(3, "input_tokens", "input_tokens, tier 3 (above the last bound)", 123_345_600, 1000,
                        121_706, "usage", 3, null),
                new LineView(4, "embedded_items", "embedded_items", 5000, 20_000, 0, "usage", null, null));
        long subtotal = 123_456;
        int rate = reverseCharge ? 0 : 1900;
        long tax = reverseCharge ? 0 : 23_457;
        long total = subtotal + tax;
        return new InvoiceView(UUID.fromString("00000000-0000-0000-0000-000000000007"), "invoice", "final",
                "MER-202610-000007", UUID.fromString("11111111-2222-3333-4444-555555555555"),
                Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"), currency, "payg",
                new BillTo("Acme GmbH", List.of("Hauptstraße 1"), "10115", "Berlin", reverseCharge ? "FR" : "DE",
                        reverseCharge ? "FR40303265045" : "DE123456789"),
                lines, subtotal, rate, reverseCharge ? "FR" : "DE", reverseCharge, tax, total, 1000, 500,
                total - 1500, Instant.parse("2026-11-01T06:00:00Z"));
    }

    private static String pdfText(byte[] pdf) throws IOException {
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        PdfReader reader = new PdfReader(pdf);
        StringBuilder text = new StringBuilder();
        PdfTextExtractor extractor = new PdfTextExtractor(reader);
        for (int page = 1; page <= reader.getNumberOfPages(); page++) {
            text.append(extractor.getTextFromPage(page)).append('\n');
        }
        return text.toString();
    }

    @Test
    void anInvoiceInEnglish() throws IOException {
        InvoiceView invoice = october("EUR", false);
        String html = InvoiceDocument.html(invoice, DocumentLanguage.EN);
        assertThat(html).contains("<html lang=\"en\">", "Invoice MER-202610-000007", "Bill to", "Acme GmbH",
                "10115 Berlin", "Germany", "VAT ID DE123456789", "Period October 1, 2026 – October 31, 2026",
                "Issued November 1, 2026", "Plan Pay as you go", "Input tokens, tier 2 (up to 10,000,000)",
                "Input tokens, tier 3 (above the last bound)", "Requests, included in plan", "123,345,600",
                "€1,234.56", "VAT Germany (19%)", "€234.57", "€1,469.13", "Trial credit applied", "-€10.00",
                "Credits applied", "-€5.00", "Amount due", "€1,454.13", "€0.0000002")
                .doesNotContain("Reverse charge");
        assertThat(pdfText(InvoiceDocument.pdf(invoice, DocumentLanguage.EN))).contains("Invoice MER-202610-000007",
                "October 1, 2026", "€1,234.56", "Trial credit applied", "-€10.00", "€1,454.13", "Acme GmbH");
    }

    @Test
    void anInvoiceInGerman() throws IOException {
        InvoiceView invoice = october("EUR", false);
        String html = InvoiceDocument.html(invoice, DocumentLanguage.DE);
        assertThat(html).contains("<html lang=\"de\">", "Rechnung MER-202610-000007", "Rechnungsempfänger",
                "Deutschland", "USt-IdNr. DE123456789", "Leistungszeitraum 1. Oktober 2026 – 31. Oktober 2026",
                "Rechnungsdatum 1. November 2026", "Tarif Nutzungsbasiert", "Eingabe-Tokens, Stufe 2 (bis 10.000.000)",
                "123.345.600", "1.234,56" + NBSP + "€", "USt. Deutschland (19" + NBSP + "%)", "234,57" + NBSP + "€",
                "Angerechnetes Testguthaben", "-10,00" + NBSP + "€", "Zahlbetrag", "1.454,13" + NBSP + "€",
                "Einzelpreis");
        String pdf = pdfText(InvoiceDocument.pdf(invoice, DocumentLanguage.DE));
        assertThat(pdf.replace(NBSP, " ")).contains("Rechnung MER-202610-000007", "1. Oktober 2026",
                "1.234,56 €", "Angerechnetes Testguthaben", "-10,00 €", "Zahlbetrag", "1.454,13 €", "Hauptstraße 1");
    }

    @Test
    void anInvoiceInChineseShowsChineseGlyphsInThePdf() throws IOException {
        InvoiceView invoice = october("CNY", false);
        String html = InvoiceDocument.html(invoice, DocumentLanguage.ZH);
        assertThat(html).contains("<html lang=\"zh\">", "发票 MER-202610-000007", "付款方", "德国",
                "计费周期 2026年10月1日 – 2026年10月31日", "开票日期 2026年11月1日", "套餐 按量付费",
                "输入词元，第 2 档（最多 10,000,000）", "¥1,234.56", "增值税 德国（19%）", "已抵扣试用额度", "-¥10.00",
                "应付金额", "¥1,454.13");
        assertThat(pdfText(InvoiceDocument.pdf(invoice, DocumentLanguage.ZH))).contains("发票 MER-202610-000007",
                "2026年10月1日", "¥1,234.56", "已抵扣试用额度", "-¥10.00", "应付金额", "¥1,454.13", "输入词元");
    }

    @Test
    void aReverseChargedInvoiceSaysSoInEachLanguage() throws IOException {
        InvoiceView invoice = october("EUR", true);
        assertThat(InvoiceDocument.html(invoice, DocumentLanguage.EN)).contains("VAT (reverse charge)", "France",
                "Reverse charge: VAT to be accounted for by the recipient, Article 196 Council Directive"
                        + " 2006/112/EC.", "€0.00");
        assertThat(InvoiceDocument.html(invoice, DocumentLanguage.DE)).contains("Frankreich",
                "Artikel 196 der Richtlinie 2006/112/EG");
        assertThat(pdfText(InvoiceDocument.pdf(invoice, DocumentLanguage.ZH))).contains("反向征收", "2006/112/EC");
    }

    @Test
    void aDraftWithoutBillingDetailsAndLinesFromBeforeKindsStillRender() throws IOException {
        var draft = new InvoiceView(null, "invoice", "draft", null, UUID.randomUUID(),
                Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"), "USD", "free", null,
                List.of(new LineView(1, "requests", "<script>", 3, 1_000_000_000L, 3, null, null, null)), 3, 0, null,
                false, 0, 3, 0, 0, 3, null);
        String html = InvoiceDocument.html(draft, DocumentLanguage.EN);
        assertThat(html).contains("Draft invoice", "Status draft", "&lt;script&gt;", "$0.03", "Tax (0%)")
                .doesNotContain("<script>", "Bill to", "Trial credit");
        assertThat(pdfText(InvoiceDocument.pdf(draft, DocumentLanguage.DE))).contains("Rechnungsentwurf",
                "Status Entwurf");
    }

    @Test
    void statementsKeepTheirEnglishFormats() {
        assertThat(BillingDocument.amount(123456, "EUR")).isEqualTo("1234.56 EUR");
        assertThat(BillingDocument.unitPrice(2000, "EUR")).isEqualTo("0.00000002 EUR");
        assertThat(BillingDocument.percent(1900)).isEqualTo("19.00 %");
    }
}
