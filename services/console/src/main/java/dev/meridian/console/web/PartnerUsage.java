package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tenant's usage this month as the partner page shows it, one figure per meter; or why it cannot be shown (the
 * user's partner role may not read the tenant's billing, or billing did not answer), in the API's words.
 */
public record PartnerUsage(List<Meter> meters, String unavailable) {

    /** One meter's quantity this month and how many calls made it. */
    public record Meter(String meter, long quantity, long events) {
    }

    static PartnerUsage of(MeridianApi.Usage usage) {
        Map<String, long[]> byMeter = new TreeMap<>();
        if (usage != null && usage.data() != null) {
            for (MeridianApi.Figure f : usage.data()) {
                long[] sum = byMeter.computeIfAbsent(f.meter(), m -> new long[2]);
                sum[0] += f.quantity();
                sum[1] += f.events();
            }
        }
        return new PartnerUsage(byMeter.entrySet().stream()
                .map(e -> new Meter(e.getKey(), e.getValue()[0], e.getValue()[1])).toList(), null);
    }

    static PartnerUsage unavailable(String why) {
        return new PartnerUsage(List.of(), why);
    }

    /** No usage this month (and nothing kept it from being read). */
    public boolean isEmpty() {
        return unavailable == null && meters.isEmpty();
    }
}
