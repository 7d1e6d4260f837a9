package dev.meridian.common.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void anIdIsAVersion7RfcUuidCarryingItsMillisecond() {
        Instant at = Instant.parse("2026-11-23T17:30:00.123456Z");
        UUID id = TimeOrderedIds.at(at);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(TimeOrderedIds.timeOf(id)).isEqualTo(Instant.parse("2026-11-23T17:30:00.123Z"));
        // the first 12 hex digits are the milliseconds since the epoch, as RFC 9562 lays them out
        assertThat(id.toString().replace("-", "").substring(0, 12))
                .isEqualTo(String.format("%012x", at.toEpochMilli()));
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnesInPostgresUuidOrder() {
        Instant t = Instant.parse("2026-11-23T17:30:00Z");
        UUID earlier = TimeOrderedIds.at(t);
        UUID later = TimeOrderedIds.at(t.plusMillis(1));
        // PostgreSQL compares uuids as unsigned bytes, which is the order of their text form
        assertThat(later.toString()).isGreaterThan(earlier.toString());
    }

    @Test
    void idsOfTheSameMillisecondDiffer() {
        Instant t = Instant.parse("2026-11-23T17:30:00Z");
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(TimeOrderedIds.at(t));
        }
        assertThat(ids).hasSize(100_000);
    }

    @Test
    void timesOutsideTheFortyEightBitsAndForeignIdsAreRefused() {
        assertThatThrownBy(() -> TimeOrderedIds.at(Instant.EPOCH.minusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1970");
        assertThatThrownBy(() -> TimeOrderedIds.timeOf(UUID.randomUUID()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 4");
    }
}
