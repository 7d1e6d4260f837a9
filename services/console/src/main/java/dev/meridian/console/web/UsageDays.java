package dev.meridian.console.web;

import dev.meridian.console.api.MeridianApi;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A period's usage by day and meter, as the overview and billing pages show it: a table (days × meters) and the JSON
 * console.js draws as a chart (the period as the x axis, a series per meter).
 */
record UsageDays(List<String> meters, List<Day> days, String chart) {

    /** One day's usage: each meter's quantity that day. */
    public record Day(String day, Map<String, Long> quantities) {
        public long of(String meter) {
            return quantities.getOrDefault(meter, 0L);
        }
    }

    static UsageDays of(MeridianApi.Usage usage) {
        var meters = new TreeSet<String>();
        var byDay = new TreeMap<String, Map<String, Long>>();
        for (MeridianApi.Figure f : usage.data()) {
            meters.add(f.meter());
            byDay.computeIfAbsent(f.day().atZone(ZoneOffset.UTC).toLocalDate().toString(), d -> new TreeMap<>())
                    .merge(f.meter(), f.quantity(), Long::sum);
        }
        List<Day> days = new ArrayList<>();
        byDay.forEach((day, q) -> days.add(new Day(day, q)));
        var json = new StringBuilder("{\"from\":" + usage.from().getEpochSecond() + ",\"to\":"
                + usage.to().getEpochSecond() + ",\"days\":[");
        for (int i = 0; i < days.size(); i++) {
            json.append(i == 0 ? "" : ",").append('"').append(days.get(i).day()).append('"');
        }
        json.append("],\"series\":{");
        int m = 0;
        for (String meter : meters) {
            json.append(m++ == 0 ? "" : ",").append('"').append(meter.replace("\"", "")).append("\":[");
            for (int i = 0; i < days.size(); i++) {
                json.append(i == 0 ? "" : ",").append(days.get(i).of(meter));
            }
            json.append(']');
        }
        return new UsageDays(List.copyOf(meters), List.copyOf(days), json.append("}}").toString());
    }
}
