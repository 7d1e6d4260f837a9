package dev.meridian.billing.pricing;

import dev.meridian.common.billing.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prices one period's usage of one tenant: the plan's fee, then per meter the included quantity (free) and the rest
 * through the meter's price, one line per tier. Amounts are exact in nano-minor units; {@link Money} rounds them.
 *
 * @param plan the tenant's plan id
 * @param feeMinor the plan's monthly fee in minor units (0 when none)
 * @param included quantities the plan includes per meter wire name
 * @param prices the price per meter wire name (the price book's, or the tenant's own on enterprise)
 */
public record Rating(String plan, long feeMinor, Map<String, Long> included, Map<String, Price> prices) {

    public static final String FEE = "fee";
    public static final String INCLUDED = "included";
    public static final String USAGE = "usage";

    /**
     * One priced line; {@code meter} null for the plan fee. {@code kind} is {@link #FEE}, {@link #INCLUDED} or
     * {@link #USAGE}; {@code tier} the tier of a graduated price (null: flat), {@code upTo} its bound (null: the last).
     */
    public record Line(String meter, String description, long quantity, long unitNanos, long amountNanos, String kind,
            Integer tier, Long upTo) {

        public long amountMinor() {
            return Money.roundToMinor(amountNanos);
        }
    }

    public List<Line> lines(Map<String, Long> usage) {
        List<Line> lines = new ArrayList<>();
        if (feeMinor > 0) {
            lines.add(new Line(null, "Plan " + plan + ", monthly fee", 1, Money.toNanos(feeMinor),
                    Money.toNanos(feeMinor), FEE, null, null));
        }
        for (Meter meter : Meter.values()) {
            long used = usage.getOrDefault(meter.wireName(), 0L);
            if (used == 0) {
                continue;
            }
            long free = Math.min(used, included.getOrDefault(meter.wireName(), 0L));
            if (free > 0) {
                lines.add(new Line(meter.wireName(), meter.wireName() + ", included in plan", free, 0, 0, INCLUDED,
                        null, null));
            }
            long charged = used - free;
            if (charged == 0) {
                continue;
            }
            Price price = prices.get(meter.wireName());
            if (price == null) {
                throw new IllegalStateException("no price for meter " + meter.wireName() + " in this price book");
            }
            List<Price.Slice> slices = price.slices(0, charged);
            for (Price.Slice s : slices) {
                String description = meter.wireName() + (price.tiers().size() == 1 ? ""
                        : ", tier " + s.tier() + (s.upTo() == null ? " (above the last bound)" : " (up to " + s.upTo()
                                + " " + meter.unit() + "s)"));
                boolean tiered = price.tiers().size() > 1;
                lines.add(new Line(meter.wireName(), description, s.quantity(), s.unitNanos(), s.amountNanos(), USAGE,
                        tiered ? s.tier() : null, tiered ? s.upTo() : null));
            }
        }
        return lines;
    }

    /** Exact charges of {@code usage} in nano-minor units, fee excluded (what spends a budget). */
    public long usageCostNanos(Map<String, Long> usage) {
        return usageCostNanos(usage, null);
    }

    /** As {@link #usageCostNanos(Map)}, of the given meters only (null: all); meters are priced independently. */
    public long usageCostNanos(Map<String, Long> usage, java.util.Set<String> meters) {
        long total = 0;
        for (Line line : lines(usage)) {
            if (line.meter() != null && (meters == null || meters.contains(line.meter()))) {
                total = Math.addExact(total, line.amountNanos());
            }
        }
        return total;
    }

    /** The price of the next unit of each meter after {@code usage} (0 while included quantity remains). */
    public Map<String, Long> marginalPrices(Map<String, Long> usage) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Meter meter : Meter.values()) {
            Price price = prices.get(meter.wireName());
            long used = usage.getOrDefault(meter.wireName(), 0L);
            long free = included.getOrDefault(meter.wireName(), 0L);
            out.put(meter.wireName(), used < free || price == null ? 0L : price.marginalNanos(used - free));
        }
        return out;
    }
}
