package dev.meridian.gateway.metering;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests this gateway metered, per tenant and per hour of {@code occurred_at}, for reconciliation with
 * billing. Kept in memory and in {@code served-requests.log} next to the usage spool: each sync appends the counts
 * added since the last one ({@code <hour epoch second> <tenant> <delta>}) and fsyncs them together with the spool, so
 * the two lose the same window on a power cut. At start the file is summed and rewritten compacted, dropping hours
 * older than the retention.
 */
final class ServedRequests {

    /** One tenant's count in one hour. */
    record Count(UUID tenantId, Instant hour, long requests) {
    }

    private record Key(UUID tenantId, long hour) {
    }

    static final String FILE = "served-requests.log";

    private final Path file;
    private final Duration retention;
    private final ConcurrentHashMap<Key, Long> totals = new ConcurrentHashMap<>();
    private final Map<Key, Long> unsynced = new HashMap<>();
    private FileChannel out;

    private ServedRequests(Path file, Duration retention) {
        this.file = file;
        this.retention = retention;
    }

    static ServedRequests open(Path dir, Duration retention, Instant now) throws IOException {
        Files.createDirectories(dir);
        var served = new ServedRequests(dir.resolve(FILE), retention);
        served.load(now);
        return served;
    }

    private void load(Instant now) throws IOException {
        long oldest = hourOf(now.minus(retention));
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.strip().split(" ");
                if (f.length != 3) {
                    continue; // a line torn by a crash mid-write
                }
                try {
                    long hour = Long.parseLong(f[0]);
                    if (hour >= oldest) {
                        totals.merge(new Key(UUID.fromString(f[1]), hour), Long.parseLong(f[2]), Long::sum);
                    }
                } catch (IllegalArgumentException e) {
                    // a torn line again; its count was never fsynced as a whole
                }
            }
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (var e : totals.entrySet()) {
                w.write(e.getKey().hour() + " " + e.getKey().tenantId() + " " + e.getValue() + "\n");
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Counts requests served (called by the spool's writer thread only). */
    void add(UUID tenantId, Instant occurredAt, long requests) {
        var key = new Key(tenantId, hourOf(occurredAt));
        totals.merge(key, requests, Long::sum);
        unsynced.merge(key, requests, Long::sum);
    }

    /** Appends and fsyncs what was added since the last sync (called by the spool's writer thread only). */
    void sync() throws IOException {
        if (unsynced.isEmpty()) {
            return;
        }
        var text = new StringBuilder();
        unsynced.forEach((k, v) -> text.append(k.hour()).append(' ').append(k.tenantId()).append(' ').append(v)
                .append('\n'));
        ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        out.force(false);
        unsynced.clear();
    }

    /** Counts of the hours that overlap {@code [from, to)}, by hour then tenant. */
    List<Count> between(Instant from, Instant to) {
        List<Count> out = new ArrayList<>();
        long first = hourOf(from);
        long end = to.getEpochSecond();
        totals.forEach((k, v) -> {
            if (k.hour() >= first && k.hour() < end) {
                out.add(new Count(k.tenantId(), Instant.ofEpochSecond(k.hour()), v));
            }
        });
        out.sort(Comparator.comparing(Count::hour).thenComparing(Count::tenantId));
        return out;
    }

    void close() throws IOException {
        sync();
        out.close();
    }

    static long hourOf(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS).getEpochSecond();
    }
}
