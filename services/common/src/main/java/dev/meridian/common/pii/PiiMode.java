package dev.meridian.common.pii;

import java.util.Locale;
import java.util.Optional;

/**
 * What a tenant asked to be done with the personal data in its training data: keep it as sent, or replace it with
 * {@link PiiRedactor} before it is stored (a file upload) or used (a fine-tuning job).
 */
public enum PiiMode {
    NONE,
    REDACT;

    /** The value in requests, answers and messages: {@code none}, {@code redact}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a request or message names; absent (null or blank) is {@link #NONE}, an unknown value is empty. */
    public static Optional<PiiMode> of(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(NONE);
        }
        for (PiiMode mode : values()) {
            if (mode.wireName().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
