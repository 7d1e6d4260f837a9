package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageSpoolTest {

    @TempDir
    Path dir;

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
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
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
    void rewindResendsOnlyWhatWasNotAcknowledged() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
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
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
            spool.append(events(0, 4));
            spool.sync();
            spool.read(10);
            spool.acknowledge(1);
            spool.acknowledge(2);
        } // close persists the acknowledgement mark
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
            assertThat(spool.unacknowledged()).isEqualTo(2);
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":2}", "{\"n\":3}");
            spool.append(events(4, 5));
            spool.sync();
            assertThat(spool.read(10)).extracting(UsageSpool.Entry::seq).containsExactly(5L);
        }
    }

    @Test
    void aLineTornByACrashIsDroppedAndTheRestKept() throws IOException {
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
            spool.append(events(0, 2));
            spool.sync();
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("usage-")).findFirst().orElseThrow();
        }
        Files.writeString(segment, "{\"n\":2,\"torn", StandardOpenOption.APPEND);
        try (var spool = UsageSpool.open(dir, 1 << 20)) {
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":0}", "{\"n\":1}");
            spool.append(events(2, 3));
            spool.sync();
            assertThat(texts(spool.read(10))).containsExactly("{\"n\":2}");
        }
    }

    @Test
    void segmentsAreDeletedOnlyWhenEveryEventInThemIsAcknowledged() throws IOException {
        try (var spool = UsageSpool.open(dir, 10)) { // tiny segments: a new one after every append
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
        try (var spool = UsageSpool.open(dir, 10)) {
            spool.append(events(6, 7));
            spool.sync();
            assertThat(spool.read(10)).as("numbers never repeat").extracting(UsageSpool.Entry::seq)
                    .containsExactly(7L);
        }
    }
}
