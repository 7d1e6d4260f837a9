package dev.meridian.console.web;

import dev.meridian.console.api.OpenAiApi.JobEvent;
import dev.meridian.console.api.OpenAiApi.JobEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The events of one job as a live page has seen them. The API lists events newest first, a page at a time
 * ({@code after} the last id of the previous page); {@link #catchUp} reads pages until it reaches an event it has seen,
 * so the first call reads them all and each later call only what is new.
 */
final class JobEventLog {

    static final int PAGE = 100;
    private static final int MOST_PAGES = 50;

    private final Set<String> seen = new HashSet<>();
    private final List<JobEvent> all = new ArrayList<>();

    /** Reads what is new through {@code page} (given {@code after}, null for the newest) and returns it, oldest first. */
    List<JobEvent> catchUp(Function<String, JobEvents> page) {
        var fresh = new ArrayList<JobEvent>();
        String after = null;
        for (int i = 0; i < MOST_PAGES; i++) {
            JobEvents p = page.apply(after);
            boolean reachedSeen = false;
            for (JobEvent e : p.data()) {
                if (seen.contains(e.id())) {
                    reachedSeen = true;
                    break;
                }
                fresh.add(e);
            }
            if (reachedSeen || !p.hasMore() || p.data().isEmpty()) {
                break;
            }
            after = p.data().getLast().id();
        }
        Collections.reverse(fresh);
        fresh.forEach(e -> seen.add(e.id()));
        all.addAll(fresh);
        return fresh;
    }

    /** Every event seen, oldest first. */
    List<JobEvent> all() {
        return Collections.unmodifiableList(all);
    }

    TrainingCurve curve() {
        return TrainingCurve.of(all);
    }
}
