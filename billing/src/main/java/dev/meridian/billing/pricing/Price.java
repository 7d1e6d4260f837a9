package dev.meridian.billing.pricing;

import java.util.ArrayList;
import java.util.List;

/**
 * The price of one meter: flat (one unit price) or graduated (each unit priced by the tier it falls in). Parsed from
 * configuration as {@code flat:<nanos>} or {@code graduated:<up-to>:<nanos>,...,:<nanos>} (the last tier unbounded).
 */
public record Price(String kind, List<Tier> tiers) {

    public static final String FLAT = "flat";
    public static final String GRADUATED = "graduated";

    /** Units above the previous tier's bound and up to {@code upTo} (null: no bound) cost {@code unitNanos} each. */
    public record Tier(Long upTo, long unitNanos) {
    }

    /** One tier's share of a quantity. */
    public record Slice(int tier, Long upTo, long quantity, long unitNanos, long amountNanos) {
    }

    public static Price flat(long unitNanos) {
        return new Price(FLAT, List.of(new Tier(null, unitNanos)));
    }

    public static Price parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("price '" + spec + "': write flat:<nanos> or graduated:<up-to>:<nanos>,...");
        }
        String kind = spec.substring(0, colon).trim();
        String rest = spec.substring(colon + 1).trim();
        switch (kind) {
            case FLAT:
                return flat(nonNegative(Long.parseLong(rest), spec));
            case GRADUATED:
                List<Tier> tiers = new ArrayList<>();
                long previous = 0;
                String[] parts = rest.split(",");
                for (int i = 0; i < parts.length; i++) {
                    String[] t = parts[i].trim().split(":", -1);
                    if (t.length != 2) {
                        throw new IllegalArgumentException("price '" + spec + "': tier '" + parts[i]
                                + "' must be <up-to>:<nanos> (empty up-to for the last tier)");
                    }
                    boolean last = i == parts.length - 1;
                    Long upTo = t[0].isBlank() ? null : Long.parseLong(t[0].trim());
                    if ((upTo == null) != last || (upTo != null && upTo <= previous)) {
                        throw new IllegalArgumentException("price '" + spec + "': tier bounds must rise and only the"
                                + " last tier may be unbounded");
                    }
                    tiers.add(new Tier(upTo, nonNegative(Long.parseLong(t[1].trim()), spec)));
                    previous = upTo == null ? previous : upTo;
                }
                return new Price(GRADUATED, List.copyOf(tiers));
            default:
                throw new IllegalArgumentException("price '" + spec + "': kind must be flat or graduated");
        }
    }

    private static long nonNegative(long nanos, String spec) {
        if (nanos < 0) {
            throw new IllegalArgumentException("price '" + spec + "': prices cannot be negative");
        }
        return nanos;
    }

    /**
     * How {@code quantity} charged units split over the tiers, counting from {@code alreadyCharged} units charged
     * before in the same period (0 for a whole period). Tiers with nothing in them are left out.
     */
    public List<Slice> slices(long alreadyCharged, long quantity) {
        List<Slice> out = new ArrayList<>();
        long position = alreadyCharged;
        long left = quantity;
        long lower = 0;
        for (int i = 0; i < tiers.size() && left > 0; i++) {
            Tier tier = tiers.get(i);
            long upper = tier.upTo() == null ? Long.MAX_VALUE : tier.upTo();
            if (position < upper) {
                long here = Math.min(left, upper - Math.max(position, lower));
                out.add(new Slice(i + 1, tier.upTo(), here, tier.unitNanos(), Math.multiplyExact(here, tier.unitNanos())));
                position += here;
                left -= here;
            }
            lower = upper;
        }
        return out;
    }

    /** Exact cost in nano-minor units of {@code quantity} units after {@code alreadyCharged}. */
    public long costNanos(long alreadyCharged, long quantity) {
        return slices(alreadyCharged, quantity).stream().mapToLong(Slice::amountNanos).reduce(0, Math::addExact);
    }

    /** The price of the next unit after {@code alreadyCharged} units. */
    public long marginalNanos(long alreadyCharged) {
        for (Tier tier : tiers) {
            if (tier.upTo() == null || alreadyCharged < tier.upTo()) {
                return tier.unitNanos();
            }
        }
        return tiers.getLast().unitNanos();
    }
}
