package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A period's usage per key, model and meter (the days summed), largest first, a page at a time: who and what used the
 * account. Figures of no key are the console's own calls, made as a signed-in member ({@code who} says so).
 */
final class UsageBreakdown {

    private UsageBreakdown() {
    }

    /** One key's use of one model on one meter; {@code key} is the key's name, or null for a signed-in member's. */
    public record Row(String key, String prefix, String model, String meter, long quantity, long events) {
    }

    /**
     * @param keys the tenant's keys by id, to name them; a figure whose key is not among them was made by a member
     *             signed in to the console (metered under their membership id)
     * @param page 1-based; out of range is clamped
     */
    static Paged<Row> of(List<MeridianApi.Figure> figures, Map<UUID, MeridianApi.Key> keys, int page) {
        record Group(UUID key, String model, String meter) {
        }
        var sums = new LinkedHashMap<Group, long[]>();
        for (MeridianApi.Figure f : figures) {
            long[] sum = sums.computeIfAbsent(new Group(f.keyId(), f.model(), f.meter()), g -> new long[2]);
            sum[0] += f.quantity();
            sum[1] += f.events();
        }
        List<Row> all = new ArrayList<>(sums.size());
        sums.forEach((g, sum) -> {
            MeridianApi.Key k = g.key() == null ? null : keys.get(g.key());
            all.add(new Row(k == null ? null : k.name(), k == null ? null : k.prefix(), g.model(), g.meter(), sum[0],
                    sum[1]));
        });
        all.sort(Comparator.comparingLong(Row::quantity).reversed().thenComparing(Row::meter)
                .thenComparing(r -> r.model() == null ? "" : r.model()));
        return Paged.of(all, page);
    }
}
