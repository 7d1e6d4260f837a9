package dev.meridian.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What one tenant's callers got, counted by phase ("before", "outage", ...) and status. */
final class CallOutcomes {
    final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

    void count(String phase, int status, String body) {
        counts.computeIfAbsent(phase + " " + status, k -> new AtomicLong()).incrementAndGet();
        if (status == 503 && body.contains("billing_unavailable")) {
            counts.computeIfAbsent(phase + " billing_unavailable", k -> new AtomicLong()).incrementAndGet();
        } else if (status != 200 && unexpected.size() < 20) {
            unexpected.add(phase + " " + status + " " + body);
        }
    }

    long get(String what) {
        AtomicLong n = counts.get(what);
        return n == null ? 0 : n.get();
    }

    long served() {
        return counts.entrySet().stream().filter(e -> e.getKey().endsWith(" 200"))
                .mapToLong(e -> e.getValue().get()).sum();
    }
}

