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

    /** {@code {path.urlEncode}}: the text as one query parameter value. */
    static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
