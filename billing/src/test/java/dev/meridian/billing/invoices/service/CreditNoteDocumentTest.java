package dev.meridian.billing.invoices.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import dev.meridian.billing.documents.DocumentLanguage;
import dev.meridian.billing.invoices.service.CreditNotes.CreditNoteView;
import dev.meridian.billing.invoices.service.InvoiceService.BillTo;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Credit notes as documents in English, German and Chinese, HTML and PDF. */
class CreditNoteDocumentTest {

    private static final CreditNoteView NOTE = new CreditNoteView(UUID.randomUUID(), "credit_note",
            "MER-CN-202611-000003", UUID.randomUUID(), UUID.randomUUID(), "MER-202610-000007", 123_456, "EUR",
            "outage on the 3rd", Instant.parse("2026-11-04T09:00:00Z"),
            new BillTo("Acme SAS", List.of("12 rue de la Paix"), "75002", "Paris", "FR", "FR40303265045"), true);

    private static String pdfText(byte[] pdf) throws IOException {
        return new PdfTextExtractor(new PdfReader(pdf)).getTextFromPage(1);
    }

    @Test
    void aCreditNoteInEachLanguage() throws IOException {
        assertThat(CreditNoteDocument.html(NOTE, DocumentLanguage.EN)).contains("Credit note MER-CN-202611-000003",
                "For invoice MER-202610-000007", "Issued November 4, 2026", "Reason: outage on the 3rd",
                "Amount credited", "€1,234.56", "France", "Reverse charge");
        assertThat(CreditNoteDocument.html(NOTE, DocumentLanguage.DE)).contains("Gutschrift MER-CN-202611-000003",
                "Zur Rechnung MER-202610-000007", "4. November 2026", "1.234,56\u00a0€", "Frankreich",
                "Gutgeschriebener Betrag");
        assertThat(CreditNoteDocument.html(NOTE, DocumentLanguage.ZH)).contains("贷项通知单 MER-CN-202611-000003",
                "对应发票 MER-202610-000007", "2026年11月4日", "€1,234.56", "法国", "贷记金额");
        assertThat(pdfText(CreditNoteDocument.pdf(NOTE, DocumentLanguage.ZH))).contains("贷项通知单", "2026年11月4日",
                "€1,234.56", "贷记金额");
        assertThat(pdfText(CreditNoteDocument.pdf(NOTE, DocumentLanguage.DE)).replace('\u00a0', ' '))
                .contains("Gutschrift", "1.234,56 €");
    }
}
