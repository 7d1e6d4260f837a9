package dev.meridian.billing.documents;

import java.math.BigDecimal;
import java.text.MessageFormat;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Currency;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The words, money, numbers and dates of a billing document in one language: words from the resource bundle
 * {@code documents/messages[_zh|_de].properties}, the rest through the JDK's locale data (CLDR), e.g. 1234.56 EUR
 * is {@code €1,234.56} in English, {@code 1.234,56 €} in German, and 1234.56 CNY {@code ¥1,234.56} in Chinese. Dates are
 * UTC days, as billing periods are.
 */
public final class DocumentText {

    private static final ResourceBundle.Control NO_FALLBACK = ResourceBundle.Control.getNoFallbackControl(
            ResourceBundle.Control.FORMAT_PROPERTIES);

    private final DocumentLanguage language;
    private final ResourceBundle bundle;
    private final DateTimeFormatter dates;

    public DocumentText(DocumentLanguage language) {
        this.language = language;
        // no fallback to the JVM's default locale: a German document is German wherever billing runs
        this.bundle = ResourceBundle.getBundle("documents.messages", language.locale(), NO_FALLBACK);
        this.dates = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).withLocale(language.locale())
                .withZone(ZoneOffset.UTC);
    }

    public DocumentLanguage language() {
        return language;
    }

    /** The message {@code key} with {@code args} (already formatted) filled in. */
    public String text(String key, Object... args) {
        String pattern = bundle.getString(key);
        return args.length == 0 ? pattern : new MessageFormat(pattern, language.locale()).format(args);
    }

    /** The message {@code prefix + name}, or {@code name} itself where the bundle has none (a new meter or plan). */
    public String name(String prefix, String name) {
        try {
            return bundle.getString(prefix + name);
        } catch (MissingResourceException e) {
            return name;
        }
    }

    /** Minor units as money of {@code currency}, with the currency's symbol where the language puts it. */
    public String money(long minor, String currency) {
        Currency c = Currency.getInstance(currency);
        int digits = Math.max(0, c.getDefaultFractionDigits());
        return currencyFormat(c, digits, digits).format(BigDecimal.valueOf(minor, digits));
    }

    /** A unit price in nano-minor units, exactly (as many decimals as it has, at least the currency's). */
    public String unitPrice(long nanos, String currency) {
        Currency c = Currency.getInstance(currency);
        int digits = Math.max(0, c.getDefaultFractionDigits());
        return currencyFormat(c, digits, digits + 9).format(BigDecimal.valueOf(nanos).movePointLeft(9 + digits));
    }

    public String quantity(long n) {
        return NumberFormat.getIntegerInstance(language.locale()).format(n);
    }

    /** Basis points as a percentage (1900 → 19 % in German, 19% in English and Chinese; 2550 → 25.5%). */
    public String percent(int bp) {
        NumberFormat f = NumberFormat.getPercentInstance(language.locale());
        f.setMaximumFractionDigits(2);
        return f.format(BigDecimal.valueOf(bp, 4));
    }

    public String date(Instant t) {
        return dates.format(t);
    }

    /** The days of a period {@code [start, end)}: its first and its last day. */
    public String days(Instant start, Instant end) {
        return date(start) + " – " + date(end.minusSeconds(1));
    }

    /** A country's name in the language (DE → Germany, Deutschland, 德国). */
    public String country(String code) {
        return Locale.of("", code).getDisplayCountry(language.locale());
    }

    private NumberFormat currencyFormat(Currency c, int minDigits, int maxDigits) {
        NumberFormat f = NumberFormat.getCurrencyInstance(language.locale());
        f.setCurrency(c);
        f.setMinimumFractionDigits(minDigits);
        f.setMaximumFractionDigits(maxDigits);
        return f;
    }
}
