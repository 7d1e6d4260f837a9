package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import dev.meridian.testing.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageSpoolTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;
    final SettableClock clock = new SettableClock(T0);

    private static List<byte[]> events(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    private static List<String> texts(List<UsageSpool.Entry> entries) {
        return entries.stream().map(e -> new String(e.json(), StandardCharsets.UTF_8)).toList();
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("usage-")).count();
        }
    }

    @Test
    void eventsAreReadOnlyOnceSyncedAndInOrder() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            spool.append(events(0, 3));
            assertThat(spool.read(10)).as("not durable yet").isEmpty();
            spool.sync();
            var read = spool.read(10);
            assertThat(texts(read)).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
            assertThat(read).extracting(UsageSpool.Entry::seq).containsExactly(1L, 2L, 3L);
            assertThat(spool.read(10)).as("handed out once").isEmpty();
        }
    }

    @Test
    void theAgeIsThatOfTheOldestEventKafkaHasNotAcknowledged() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            assertThat(spool.oldestUnacknowledgedAge()).as("empty").isZero();
            spool.append(events(0, 2)); // 1, 2 at T0
            clock.advance(Duration.ofSeconds(30));
            spool.append(events(2, 4)); // 3, 4 at T0 + 30 s
            spool.sync();
            clock.advance(Duration.ofSeconds(10));
            assertThat(spool.oldestUnacknowledgedAge()).isEqualTo(Duration.ofSeconds(40));

            spool.acknowledge(2); // out of order: event 1 still waits
            assertThat(spool.oldestUnacknowledgedAge()).isEqualTo(Duration.ofSeconds(40));
            spool.acknowledge(1); // the first batch is through: the oldest is event 3
            assertThat(spool.oldestUnacknowledgedAge()).isEqualTo(Duration.ofSeconds(10));
            spool.acknowledge(3);
            spool.acknowledge(4);
            assertThat(spool.oldestUnacknowledgedAge()).as("all acknowledged").isZero();
        }
    }

    @Test
    void eventsLeftByAnEarlierRunAreAsOldAsTheirSegmentsLastWrite() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            spool.append(events(0, 3));
            spool.sync();
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("usage-")).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(T0.minus(Duration.ofMinutes(5))));
            }
        }
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            assertThat(spool.oldestUnacknowledgedAge()).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void rewindResendsOnlyWhatWasNotAcknowledged() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            spool.append(events(0, 5));
            spool.sync();
            spool.read(10);
            spool.acknowledge(1);
            spool.acknowledge(3);
            spool.rewind();
            assertThat(spool.read(10)).extracting(UsageSpool.Entry::seq).containsExactly(2L, 4L, 5L);
            assertThat(spool.unacknowledged()).isEqualTo(3);
        }
    }

    @Test
    void aReopenedSpoolSendsWhatWasNotAcknowledgedAndNumbersOnward() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            spool.append(events(0, 4));
            spool.sync();
            spool.read(10);
            spool.acknowledge(1);
            spool.acknowledge(2);
        } // close persists the acknowledgement mark
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            assertThat(spool.unacknowledged()).isEqualTo(2);
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":2}", "{\"n\":3}");
            spool.append(events(4, 5));
            spool.sync();
            assertThat(spool.read(10)).extracting(UsageSpool.Entry::seq).containsExactly(5L);
        }
    }

    @Test
    void aLineTornByACrashIsDroppedAndTheRestKept() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            spool.append(events(0, 2));
            spool.sync();
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("usage-")).findFirst().orElseThrow();
        }
        Files.writeString(segment, "{\"n\":2,\"torn", StandardOpenOption.APPEND);
        try (var spool = UsageSpool.open(dir, 1 << 20, clock)) {
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":0}", "{\"n\":1}");
            spool.append(events(2, 3));
            spool.sync();
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":2}");
        }
    }

    @Test
    void segmentsAreDeletedOnlyWhenEveryEventInThemIsAcknowledged() throws IOException {
        try (var spool = UsageSpool.open(dir, 10, clock)) { // tiny segments: a new one after every append
            spool.append(events(0, 2));
            spool.append(events(2, 4));
            spool.append(events(4, 6));
            spool.sync();
            assertThat(segmentFiles()).isEqualTo(3);
            spool.read(10);
            spool.acknowledge(1);
            spool.acknowledge(2);
            spool.acknowledge(4);
            spool.release();
            assertThat(segmentFiles()).as("the first is acknowledged; the second lacks event 3").isEqualTo(2);
            spool.acknowledge(3);
            spool.acknowledge(5);
            spool.acknowledge(6);
            spool.release();
            assertThat(segmentFiles()).as("the current segment stays open").isEqualTo(1);
        }
        assertThat(segmentFiles()).as("closed and acknowledged").isZero();
        try (var spool = UsageSpool.open(dir, 10, clock)) {
            spool.append(events(6, 7));
            spool.sync();
            assertThat(spool.read(10)).as("numbers never repeat").extracting(UsageSpool.Entry::seq)
                    .containsExactly(7L);
        }
    }
}
