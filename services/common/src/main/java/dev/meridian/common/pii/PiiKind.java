package dev.meridian.common.pii;

import java.util.Locale;

/**
 * The kinds of personal data {@link PiiRedactor} finds, each replaced by its own typed placeholder. Listed in the
 * order that decides between two findings of the same span (an 18-digit resident ID that also passes the Luhn check is
 * an ID, not a card).
 */
public enum PiiKind {
    EMAIL,
    IBAN,
    CN_RESIDENT_ID,
    PAYMENT_CARD,
    IP_ADDRESS,
    PHONE;

    /** The text that replaces a found value, e.g. {@code [EMAIL]}: the example keeps its shape, the value is gone. */
    public String placeholder() {
        return "[" + name() + "]";
    }

    /** The name in API answers, e.g. {@code payment_card}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
