package dev.meridian.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.console.api.MeridianApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageBreakdownTest {

    private static final Instant DAY1 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-12-02T00:00:00Z");

    @Test
    void sumsTheDaysPerKeyModelAndMeterLargestFirstAndNamesTheKeys() {
        UUID ci = UUID.randomUUID();
        UUID member = UUID.randomUUID(); // a console call, metered under the membership id: no key of that id
        var key = new MeridianApi.Key(ci, "ci", "Ab12Cd34Ef56", List.of("inference"), DAY1, null, null, null);
        var figures = List.of(
                new MeridianApi.Figure("requests", "all-minilm-l6-v2", ci, DAY1, 2, 2),
                new MeridianApi.Figure("requests", "all-minilm-l6-v2", ci, DAY2, 3, 3),
                new MeridianApi.Figure("input_tokens", "all-minilm-l6-v2", ci, DAY2, 40, 3),
                new MeridianApi.Figure("requests", "all-minilm-l6-v2", member, DAY2, 1, 1));

        var breakdown = UsageBreakdown.of(figures, Map.of(ci, key), 1);

        assertThat(breakdown.total()).isEqualTo(3);
        assertThat(breakdown.items()).containsExactly(
                new UsageBreakdown.Row("ci", "Ab12Cd34Ef56", "all-minilm-l6-v2", "input_tokens", 40, 3),
                new UsageBreakdown.Row("ci", "Ab12Cd34Ef56", "all-minilm-l6-v2", "requests", 5, 5),
                new UsageBreakdown.Row(null, null, "all-minilm-l6-v2", "requests", 1, 1));
    }
}
