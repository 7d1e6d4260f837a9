package dev.meridian.billing.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The rounding rules, stated once. Prices and lease budgets are in nano-minor units (10<sup>-9</sup> of a cent, fen,
 * ...) so per-token prices stay integers; everything a tenant pays is in whole minor units.
 * <ol>
 *   <li>Each invoice line is exact in nano-minor units (quantity × unit price, integer) and is rounded to minor units
 *       once, half up.</li>
 *   <li>The subtotal is the sum of the rounded lines; tax is the subtotal × the invoice's rate in basis points
 *       ({@code tax/TaxPolicy}: the region's, or the customer country's EU VAT), rounded once, half up.</li>
 *   <li>Credits are whole minor units and are taken from the total after tax: the trial credit first, then the
 *       wallet's.</li>
 *   <li>Partner statements: a referral share is taken of each invoice line and each credit note, a reseller's
 *       wholesale amount of each tenant's net; each rounded once, half even ({@link #partOf}).</li>
 * </ol>
 * No floating point anywhere; an amount that does not fit a {@code long} fails loudly instead of wrapping.
 */
public final class Money {

    public static final long NANOS_PER_MINOR = 1_000_000_000L;

    private Money() {
    }

    /** Nano-minor units to minor units, half up (amounts are never negative). */
    public static long roundToMinor(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("amounts are never negative, got " + nanos + " nano-minor units");
        }
        return nanos / NANOS_PER_MINOR + (nanos % NANOS_PER_MINOR >= NANOS_PER_MINOR / 2 ? 1 : 0);
    }

    public static long toNanos(long minor) {
        return Math.multiplyExact(minor, NANOS_PER_MINOR);
    }

    /**
     * A partner's part of an amount at {@code rateBp} basis points (a referral share, or what a reseller pays after its
     * discount), rounded once to minor units, half even (banker's rounding, so that many half-cent lines do not all
     * round the same way). The amount may be negative (credit notes beyond what was invoiced in a period).
     */
    public static long partOf(long amountMinor, int rateBp) {
        return BigDecimal.valueOf(amountMinor).multiply(BigDecimal.valueOf(rateBp))
                .divide(BigDecimal.valueOf(10_000), 0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** Tax on a net amount at {@code rateBp} basis points (1900 = 19 %), half up. */
    public static long tax(long netMinor, int rateBp) {
        long scaled = Math.multiplyExact(netMinor, (long) rateBp);
        return scaled / 10_000 + (scaled % 10_000 >= 5_000 ? 1 : 0);
    }
}
