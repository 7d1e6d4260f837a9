package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedRequestsTest {

    private static final UUID A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    private static final Instant NOW = Instant.parse("2026-11-23T12:30:00Z");

    @TempDir
    Path dir;

    @Test
    void countsPerTenantAndHourSurviveAReopenWhenSynced() throws IOException {
        var served = ServedRequests.open(dir, Duration.ofDays(40), NOW);
        served.add(A, Instant.parse("2026-11-23T12:01:00Z"), 1);
        served.add(A, Instant.parse("2026-11-23T12:59:59Z"), 1);
        served.add(B, Instant.parse("2026-11-23T11:10:00Z"), 1);
        served.sync();
        served.add(A, Instant.parse("2026-11-23T13:00:00Z"), 1); // never synced: a power cut would lose it
        var reopened = ServedRequests.open(dir, Duration.ofDays(40), NOW);
        assertThat(reopened.between(Instant.parse("2026-11-23T00:00:00Z"), Instant.parse("2026-11-24T00:00:00Z")))
                .containsExactly(
                        new ServedRequests.Count(B, Instant.parse("2026-11-23T11:00:00Z"), 1),
                        new ServedRequests.Count(A, Instant.parse("2026-11-23T12:00:00Z"), 2));
        served.close();
    }

    @Test
    void hoursOverlappingTheRangeAreAnsweredAndOldHoursAreDroppedAtOpen() throws IOException {
        var served = ServedRequests.open(dir, Duration.ofDays(40), NOW);
        served.add(A, Instant.parse("2026-09-01T08:00:00Z"), 5);
        served.add(A, Instant.parse("2026-11-23T09:15:00Z"), 3);
        served.close();
        var reopened = ServedRequests.open(dir, Duration.ofDays(40), NOW);
        assertThat(reopened.between(Instant.parse("2026-01-01T00:00:00Z"), NOW)).extracting(ServedRequests.Count::hour)
                .containsExactly(Instant.parse("2026-11-23T09:00:00Z"));
        assertThat(reopened.between(Instant.parse("2026-11-23T09:30:00Z"), Instant.parse("2026-11-23T10:00:00Z")))
                .extracting(ServedRequests.Count::requests).containsExactly(3L);
        assertThat(reopened.between(Instant.parse("2026-11-23T10:00:00Z"), NOW)).isEmpty();
    }
}
