package dev.meridian.common.billing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The value of {@code X-Meridian-Usage} ({@link dev.meridian.common.tenant.MeridianHeaders#USAGE}): what one call
 * used, as {@code meter=quantity} pairs separated by commas, e.g. {@code input_tokens=12,embedded_items=3}. Services
 * write it with {@link #format}; the gateway reads it with {@link #parse}.
 *
 * @param quantities what the call used per meter, in the meter's unit
 * @param problems pairs that could not be read (unknown meter, bad number), skipped; empty when all were read
 */
public record UsageHeader(Map<Meter, Long> quantities, List<String> problems) {

    public UsageHeader {
        quantities = Collections.unmodifiableMap(quantities.isEmpty() ? new EnumMap<>(Meter.class)
                : new EnumMap<>(quantities));
        problems = List.copyOf(problems);
    }

    /** The header value for these quantities, in the meters' declaration order; zero quantities are left out. */
    public static String format(Map<Meter, Long> quantities) {
        var out = new StringJoiner(",");
        new EnumMap<>(quantities).forEach((meter, quantity) -> {
            if (quantity < 0) {
                throw new IllegalArgumentException(meter.wireName() + " must not be negative, got " + quantity);
            }
            if (quantity > 0) {
                out.add(meter.wireName() + "=" + quantity);
            }
        });
        return out.toString();
    }

    /**
     * Reads a header value; a missing or blank value is no quantities. What cannot be read is skipped and named in
     * {@link #problems()}, so a service's mistake never fails the caller's request. A meter named twice is summed.
     */
    public static UsageHeader parse(String value) {
        var quantities = new EnumMap<Meter, Long>(Meter.class);
        var problems = new ArrayList<String>();
        if (value == null || value.isBlank()) {
            return new UsageHeader(quantities, problems);
        }
        for (String pair : value.split(",")) {
            String p = pair.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            var meter = eq < 0 ? java.util.Optional.<Meter>empty() : Meter.fromWireName(p.substring(0, eq).strip());
            if (meter.isEmpty()) {
                problems.add("unknown meter in '" + p + "'");
                continue;
            }
            try {
                long quantity = Long.parseLong(p.substring(eq + 1).strip());
                if (quantity < 0) {
                    problems.add("negative quantity in '" + p + "'");
                    continue;
                }
                quantities.merge(meter.get(), quantity, Math::addExact);
            } catch (NumberFormatException | ArithmeticException e) {
                problems.add("not a whole number in '" + p + "'");
            }
        }
        return new UsageHeader(quantities, problems);
    }
}
