package dev.meridian.billing.pricing;

import dev.meridian.common.error.ApiException;

/**
 * The largest amounts billing's API takes. They are chosen so that every product the budget, lease and invoice math
 * forms stays inside a {@code long}: the largest amount in nano-minor units is 10<sup>18</sup> (of
 * 9.2 × 10<sup>18</sup>), the largest budget times a threshold percentage is 10<sup>12</sup>. An input above them is
 * refused with a 400 that names the field and the bound, instead of being stored and failing later in a job that
 * serves every tenant.
 */
public final class MoneyLimits {

    /** Budgets, credits, credit notes: at most 10<sup>9</sup> minor units (10,000,000.00 EUR, USD or CNY). */
    public static final long MAX_AMOUNT_MINOR = 1_000_000_000L;
    /** A unit price (enterprise custom prices): at most 1,000 minor units (10.00) per unit, in nano-minor units. */
    public static final long MAX_UNIT_PRICE_NANOS = 1_000L * Money.NANOS_PER_MINOR;
    /** Money a gateway reports spent from one lease: at most {@link #MAX_AMOUNT_MINOR}, in nano-minor units. */
    public static final long MAX_SPENT_NANOS = MAX_AMOUNT_MINOR * Money.NANOS_PER_MINOR;
    /** A quantity a gateway reports spent from one lease, per meter. */
    public static final long MAX_QUANTITY = 1_000_000_000_000_000L;

    private MoneyLimits() {
    }

    /** An amount in minor units: null stays null (none); otherwise {@code min}..{@link #MAX_AMOUNT_MINOR}. */
    public static Long amountMinor(String field, Long value, long min, String whatNullMeans) {
        if (value == null) {
            return null;
        }
        String range = min + " to " + MAX_AMOUNT_MINOR + " minor units (cents; " + MAX_AMOUNT_MINOR + " is "
                + "10,000,000.00 of the currency)" + (whatNullMeans == null ? "" : ", or null for " + whatNullMeans);
        if (value < min) {
            throw ApiException.invalidField(field, value + " is below " + min + ": send " + range + ".");
        }
        if (value > MAX_AMOUNT_MINOR) {
            throw ApiException.invalidField(field, value + " is above the largest amount billing accepts, "
                    + MAX_AMOUNT_MINOR + ": send " + range + ".");
        }
        return value;
    }

    /** A required amount in minor units, 1..{@link #MAX_AMOUNT_MINOR}. */
    public static long positiveAmountMinor(String field, Long value) {
        if (value == null) {
            throw ApiException.invalidField(field, "required: a positive amount in minor units (cents), at most "
                    + MAX_AMOUNT_MINOR + ".");
        }
        return amountMinor(field, value, 1, null);
    }

    /** A unit price in nano-minor units, 0..{@link #MAX_UNIT_PRICE_NANOS}. */
    public static long unitPriceNanos(String field, Long value) {
        if (value == null || value < 0 || value > MAX_UNIT_PRICE_NANOS) {
            throw ApiException.invalidField(field, (value == null ? "missing" : value + " is out of range")
                    + ": send a unit price of 0 to " + MAX_UNIT_PRICE_NANOS + " nano-minor units (10^-9 of a cent; "
                    + MAX_UNIT_PRICE_NANOS + " is 1,000 cents per unit).");
        }
        return value;
    }

    /** A reported spend in nano-minor units, 0..{@link #MAX_SPENT_NANOS}. */
    public static long spentNanos(String field, long value) {
        if (value < 0 || value > MAX_SPENT_NANOS) {
            throw ApiException.invalidField(field, value + " is out of range: send 0 to " + MAX_SPENT_NANOS
                    + " nano-minor units.");
        }
        return value;
    }

    /** A reported quantity, 0..{@link #MAX_QUANTITY}. */
    public static long quantity(String field, Long value) {
        if (value == null || value < 0 || value > MAX_QUANTITY) {
            throw ApiException.invalidField(field, (value == null ? "missing" : value + " is out of range")
                    + ": send 0 to " + MAX_QUANTITY + ".");
        }
        return value;
    }
}
