package dev.meridian.billing.invoices.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.billing.documents.BillingDocument;
import dev.meridian.billing.invoices.service.InvoiceService.InvoiceView;
import dev.meridian.billing.invoices.service.InvoiceService.LineView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InvoiceDocumentTest {

    @Test
    void amountsAreExactDecimalsAndTextIsEscaped() {
        assertThat(BillingDocument.amount(123456, "EUR")).isEqualTo("1234.56 EUR");
        assertThat(BillingDocument.amount(5, "CNY")).isEqualTo("0.05 CNY");
        assertThat(BillingDocument.unitPrice(2000, "EUR")).isEqualTo("0.00000002 EUR"); // 2000 nano-cents
        assertThat(BillingDocument.unitPrice(1_000_000_000L, "USD")).isEqualTo("0.01 USD");
        var invoice = new InvoiceView(UUID.randomUUID(), "invoice", "final", "MER-202610-000007", UUID.randomUUID(),
                Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"), "EUR", "payg",
                List.of(new LineView(1, "requests", "<script>", 3, 1_000_000_000L, 3)), 3, 1900, 1, 4, 0, 4,
                Instant.now());
        String html = InvoiceDocument.html(invoice);
        assertThat(html).contains("Invoice MER-202610-000007", "2026-10-01 – 2026-10-31", "&lt;script&gt;",
                "0.04 EUR", "19.00 %").doesNotContain("<script>");
        byte[] pdf = InvoiceDocument.pdf(invoice);
        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }
}
