package dev.meridian.console.web;

import static dev.meridian.console.web.TrainingCurveTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.console.api.OpenAiApi.JobEvent;
import dev.meridian.console.api.OpenAiApi.JobEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobEventLogTest {

    /** The API's answer: newest first, {@code size} at a time, after the event with id {@code after}. */
    static JobEvents page(List<JobEvent> oldestFirst, String after, int size) {
        var newestFirst = new ArrayList<>(oldestFirst).reversed();
        int from = 0;
        if (after != null) {
            from = newestFirst.stream().map(JobEvent::id).toList().indexOf(after) + 1;
        }
        int to = Math.min(newestFirst.size(), from + size);
        return new JobEvents(newestFirst.subList(from, to), to < newestFirst.size());
    }

    @Test
    void theFirstCatchUpReadsEveryPageAndLaterOnesOnlyWhatIsNewOldestFirst() {
        var events = new ArrayList<JobEvent>();
        for (int i = 1; i <= 7; i++) {
            events.add(event("e" + i, "message", null));
        }
        var log = new JobEventLog();
        var calls = new ArrayList<String>();

        var first = log.catchUp(after -> {
            calls.add(String.valueOf(after));
            return page(events, after, 3);
        });
        assertThat(first).extracting(JobEvent::id).containsExactly("e1", "e2", "e3", "e4", "e5", "e6", "e7");
        assertThat(calls).containsExactly("null", "e5", "e2");

        events.add(event("e8", "message", null));
        events.add(event("e9", "message", null));
        calls.clear();
        var next = log.catchUp(after -> {
            calls.add(String.valueOf(after));
            return page(events, after, 3);
        });
        assertThat(next).extracting(JobEvent::id).containsExactly("e8", "e9");
        assertThat(calls).as("stops at the first page holding a seen event").containsExactly("null");
        assertThat(log.catchUp(after -> page(events, after, 3))).isEmpty();
        assertThat(log.all()).hasSize(9);
    }
}
