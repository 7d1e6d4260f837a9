package dev.meridian.billing.documents;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The languages billing documents are rendered in, by the code the API takes ({@code en}, {@code zh}, {@code de}). */
public enum DocumentLanguage {

    EN("en", Locale.ENGLISH),
    /** Simplified Chinese, formatted as in mainland China (¥ for yuan, 年月日 dates). */
    ZH("zh", Locale.SIMPLIFIED_CHINESE),
    DE("de", Locale.GERMANY);

    private final String code;
    private final Locale locale;

    DocumentLanguage(String code, Locale locale) {
        this.code = code;
        this.locale = locale;
    }

    public String code() {
        return code;
    }

    public Locale locale() {
        return locale;
    }

    public static Optional<DocumentLanguage> of(String code) {
        for (DocumentLanguage l : values()) {
            if (l.code.equals(code)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** The language of {@code code}, English where none or an unknown one is given. */
    public static DocumentLanguage orEnglish(String code) {
        return of(code).orElse(EN);
    }

    public static List<String> codes() {
        return java.util.Arrays.stream(values()).map(DocumentLanguage::code).toList();
    }
}
