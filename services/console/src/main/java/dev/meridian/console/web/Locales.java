package dev.meridian.console.web;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The console's languages: the one chosen with the switcher (a cookie), else the browser's first we have. */
public final class Locales {

    public static final String COOKIE = "meridian_lang";
    static final List<String> LANGUAGES = List.of("en", "zh");

    private Locales() {
    }

    static Optional<String> supported(String language) {
        return Optional.ofNullable(language).map(l -> l.toLowerCase(Locale.ROOT)).filter(LANGUAGES::contains);
    }

    static Locale of(HttpHeaders headers) {
        Cookie chosen = headers.getCookies().get(COOKIE);
        if (chosen != null && supported(chosen.getValue()).isPresent()) {
            return Locale.forLanguageTag(chosen.getValue());
        }
        for (Locale wanted : headers.getAcceptableLanguages()) {
            if (supported(wanted.getLanguage()).isPresent()) {
                return Locale.forLanguageTag(wanted.getLanguage());
            }
        }
        return Locale.ENGLISH;
    }
}
