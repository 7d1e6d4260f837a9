package dev.meridian.console.web;

import io.quarkus.qute.TemplateExtension.TemplateAttribute;
import io.quarkus.qute.TemplateExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;

/** Small helpers the templates call as if they were methods of their values. */
@TemplateExtension
final class TemplateExtensions {

    private TemplateExtensions() {
    }

    /** {@code {key.createdAt.when}}: a moment in the page's language, in UTC (the API's time zone), to the minute. */
    static String when(Instant instant, @TemplateAttribute("locale") Object locale) {
        Locale l = locale instanceof Locale given ? given : Locale.ENGLISH;
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withLocale(l)
                .withZone(ZoneOffset.UTC).format(instant) + " UTC";
    }

    /** {@code {invoice.periodStart.day}}: the date of a moment in UTC, in the page's language. */
    static String day(Instant instant, @TemplateAttribute("locale") Object locale) {
        Locale l = locale instanceof Locale given ? given : Locale.ENGLISH;
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(l).withZone(ZoneOffset.UTC)
                .format(instant);
    }

    /** {@code {period.end.lastDay}}: the last day of a period that ends (exclusively) at this moment. */
    static String lastDay(Instant end, @TemplateAttribute("locale") Object locale) {
        return day(end.minusSeconds(1), locale);
    }

    /** {@code {amountMinor.money(currency)}}: minor units (cents, fen) as money in the page's language. */
    static String money(Long minor, String currency, @TemplateAttribute("locale") Object locale) {
        if (minor == null) {
            return "";
        }
        Locale l = locale instanceof Locale given ? given : Locale.ENGLISH;
        var format = java.text.NumberFormat.getCurrencyInstance(l);
        var c = java.util.Currency.getInstance(currency);
        format.setCurrency(c);
        return format.format(java.math.BigDecimal.valueOf(minor, c.getDefaultFractionDigits()));
    }

    /** {@code {minor.major}}: minor units as a plain amount for a form field ("12.50"). */
    static String major(Long minor) {
        return minor == null ? "" : java.math.BigDecimal.valueOf(minor, 2).toPlainString();
    }

    /** {@code {usage.quantity.count}}: a whole number in the page's language ("12,345", "12,345"). */
    static String count(long number, @TemplateAttribute("locale") Object locale) {
        return java.text.NumberFormat.getIntegerInstance(locale instanceof Locale given ? given : Locale.ENGLISH)
                .format(number);
    }

    /** {@code {row.precision.decimal}}: a ratio with three decimals in the page's language ("0.925"). */
    static String decimal(double number, @TemplateAttribute("locale") Object locale) {
        var format = java.text.NumberFormat.getNumberInstance(locale instanceof Locale given ? given : Locale.ENGLISH);
        format.setMinimumFractionDigits(3);
        format.setMaximumFractionDigits(3);
        return format.format(number);
    }

    /** {@code {partner.regions.listed}}: a list's items, comma-separated; nothing for none. */
    static String listed(java.util.List<?> items) {
        return items == null ? "" : items.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** {@code {path.urlEncode}}: the text as one query parameter value. */
    static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
