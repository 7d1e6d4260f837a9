package dev.meridian.gateway.metering;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The gateway's append-only log of usage events on local disk: every metered event is written here first and
 * deleted only after Kafka acknowledged it, so an outage of the broker, or a restart of the gateway, loses nothing.
 *
 * <p>Files in the folder: {@code usage-<first seq>.log} segments holding one event (JSON) per line, the n-th line
 * having sequence number {@code first + n}; and {@code acked}, the sequence number through which every event has been
 * acknowledged (a hint that saves re-sending after a restart; losing it only causes duplicates, which billing drops
 * by event id). One thread writes ({@link #append}, {@link #sync}), one reads ({@link #read}, {@link #rewind},
 * {@link #release}); acknowledgements ({@link #acknowledge}) may come from any thread.
 */
final class UsageSpool implements Closeable {

    /** An event read back: its sequence number and its JSON. */
    record Entry(long seq, byte[] json) {
    }

    private static final String PREFIX = "usage-";
    private static final String SUFFIX = ".log";
    private static final String ACKED = "acked";

    private static final class Segment {
        final long first;
        final Path path;
        volatile long last;

        Segment(long first, Path path, long last) {
            this.first = first;
            this.path = path;
            this.last = last;
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

    // the writer's state
    private Segment current;
    private FileChannel out;
    private long nextSeq;
    private volatile long syncedSeq;

    // acknowledgements: every seq <= ackedThrough, plus those in ackedAhead
    private final Object ackLock = new Object();
    private long ackedThrough;
    private final TreeSet<Long> ackedAhead = new TreeSet<>();
    private long persistedAck;
    /**
     * When each batch was appended, by its first sequence number, while any of it is unacknowledged: the oldest
     * event's age is what an on-call engineer needs (a backlog of a million may be five seconds old). Events left by
     * an earlier run count from their segment's last write, so their age is a lower bound.
     */
    private final TreeMap<Long, Instant> appendedAt = new TreeMap<>();

    // the reader's state
    private Segment reading;
    private BufferedReader in;
    private long inSeq;
    private long readSeq;

    private UsageSpool(Path dir, long segmentBytes, Clock clock) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.clock = clock;
    }

    /**
     * Opens the spool in {@code dir} (created if needed) and recovers what an earlier run left: segments are kept,
     * a line torn by a crash mid-write is cut off, and reading starts after the last persisted acknowledgement.
     */
    static UsageSpool open(Path dir, long segmentBytes, Clock clock) throws IOException {
        Files.createDirectories(dir);
        var spool = new UsageSpool(dir, segmentBytes, clock);
        spool.recover();
        return spool;
    }

    private void recover() throws IOException {
        Path ackFile = dir.resolve(ACKED);
        long acked = Files.exists(ackFile) ? Long.parseLong(Files.readString(ackFile).strip()) : 0;
        long lastOnDisk = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && p.getFileName().toString().endsWith(SUFFIX)).toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            long first = Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
            long lines = completeLines(file);
            if (lines == 0) {
                Files.delete(file);
                continue;
            }
            segments.put(first, new Segment(first, file, first + lines - 1));
            appendedAt.put(first, Files.getLastModifiedTime(file).toInstant());
            lastOnDisk = Math.max(lastOnDisk, first + lines - 1);
        }
        if (!segments.isEmpty()) {
            acked = Math.max(acked, segments.firstKey() - 1); // nothing older is left to send
        }
        ackedThrough = acked;
        persistedAck = acked;
        nextSeq = Math.max(acked, lastOnDisk) + 1;
        syncedSeq = nextSeq - 1;
        readSeq = acked + 1;
    }

    /** Counts the whole lines of a segment, cutting off a last line a crash left without its newline. */
    private static long completeLines(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long lines = 0;
            long endOfLastLine = 0;
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf.get(i) == '\n') {
                        lines++;
                        endOfLastLine = pos + i + 1;
                    }
                }
                pos += n;
            }
            if (endOfLastLine < size) {
                ch.truncate(endOfLastLine);
                ch.force(true);
            }
            return lines;
        }
    }

    /**
     * Writes events (one JSON document each, without newlines) at the end of the log and returns the sequence number
     * of the last. Not yet durable: see {@link #sync}. On failure nothing of the batch stays in the log.
     */
    long append(List<byte[]> events) throws IOException {
        if (events.isEmpty()) {
            return nextSeq - 1;
        }
        if (current == null || out.size() >= segmentBytes) {
            roll();
        }
        int size = 0;
        for (byte[] e : events) {
            size += e.length + 1;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (byte[] e : events) {
            buf.put(e).put((byte) '\n');
        }
        buf.flip();
        long before = out.size();
        try {
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        } catch (IOException e) {
            out.truncate(before);
            throw e;
        }
        synchronized (ackLock) {
            appendedAt.put(nextSeq, clock.instant());
        }
        nextSeq += events.size();
        current.last = nextSeq - 1;
        return nextSeq - 1;
    }

    /** Makes everything appended so far durable (fsync) and readable by {@link #read}. */
    void sync() throws IOException {
        if (out != null) {
            out.force(false);
        }
        syncedSeq = nextSeq - 1;
    }

    private void roll() throws IOException {
        if (out != null) {
            out.force(false);
            out.close();
        }
        Path path = dir.resolve(String.format("%s%020d%s", PREFIX, nextSeq, SUFFIX));
        out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        current = new Segment(nextSeq, path, nextSeq - 1);
        segments.put(nextSeq, current);
        syncDirectory(); // the new file's name must survive a power cut too
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the file data is still synced
        }
    }

    /**
     * Up to {@code max} durable events not yet handed out and not yet acknowledged, in sequence order. Reading goes
     * on from where the last call stopped until {@link #rewind}.
     */
    List<Entry> read(int max) throws IOException {
        List<Entry> batch = new ArrayList<>();
        while (batch.size() < max && readSeq <= syncedSeq) {
            var holder = segments.floorEntry(readSeq);
            if (holder == null) { // deleted under us: everything in it was acknowledged
                readSeq = segments.isEmpty() ? syncedSeq + 1 : Math.max(readSeq, segments.firstKey());
                continue;
            }
            Segment seg = holder.getValue();
            if (seg != reading || inSeq > readSeq) {
                openReader(seg);
            }
            while (inSeq < readSeq) {
                if (in.readLine() == null) {
                    throw new IOException("spool segment " + seg.path + " ends before event " + readSeq);
                }
                inSeq++;
            }
            String line = in.readLine();
            if (line == null) {
                throw new IOException("spool segment " + seg.path + " ends before event " + readSeq);
            }
            inSeq++;
            if (!acknowledged(readSeq)) {
                batch.add(new Entry(readSeq, line.getBytes(StandardCharsets.UTF_8)));
            }
            readSeq++;
        }
        return batch;
    }

    private void openReader(Segment seg) throws IOException {
        closeReader();
        in = new BufferedReader(new InputStreamReader(Files.newInputStream(seg.path), StandardCharsets.UTF_8),
                64 * 1024);
        reading = seg;
        inSeq = seg.first;
    }

    private void closeReader() throws IOException {
        if (in != null) {
            in.close();
            in = null;
            reading = null;
        }
    }

    /** Reading starts again at the oldest event not acknowledged (after a failed send). */
    void rewind() throws IOException {
        closeReader();
        synchronized (ackLock) {
            readSeq = ackedThrough + 1;
        }
    }

    void acknowledge(long seq) {
        synchronized (ackLock) {
            if (seq <= ackedThrough) {
                return;
            }
            ackedAhead.add(seq);
            while (!ackedAhead.isEmpty() && ackedAhead.first() == ackedThrough + 1) {
                ackedAhead.pollFirst();
                ackedThrough++;
            }
            // batches wholly acknowledged: every one before the batch holding the oldest unacknowledged event
            Long holder = appendedAt.floorKey(ackedThrough + 1);
            if (holder != null) {
                appendedAt.headMap(holder, false).clear();
            }
        }
    }

    boolean acknowledged(long seq) {
        synchronized (ackLock) {
            return seq <= ackedThrough || ackedAhead.contains(seq);
        }
    }

    /**
     * How long the oldest event written and not yet acknowledged has waited for Kafka, or zero when there is none; one
     * acknowledged out of order behind it does not make it younger.
     */
    Duration oldestUnacknowledgedAge() {
        synchronized (ackLock) {
            long oldest = ackedThrough + 1;
            if (oldest > syncedSeq) {
                return Duration.ZERO;
            }
            var holder = appendedAt.floorEntry(oldest);
            if (holder == null) {
                return Duration.ZERO;
            }
            Duration age = Duration.between(holder.getValue(), clock.instant());
            return age.isNegative() ? Duration.ZERO : age;
        }
    }

    /** Events written and not yet acknowledged. */
    long unacknowledged() {
        synchronized (ackLock) {
            return Math.max(0, syncedSeq - ackedThrough - ackedAhead.size());
        }
    }

    /** Events the reader has not reached yet (written but never handed out since the last rewind). */
    boolean drained() {
        return readSeq > syncedSeq;
    }

    /**
     * Records how far acknowledgements reach and deletes the closed segments Kafka has acknowledged entirely. The
     * acknowledgement mark is written before any segment goes, so sequence numbers never repeat after a restart.
     */
    void release() throws IOException {
        long through;
        synchronized (ackLock) {
            through = ackedThrough;
        }
        if (through != persistedAck) {
            Path tmp = dir.resolve(ACKED + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(Long.toString(through).getBytes(StandardCharsets.US_ASCII)));
                ch.force(false);
            }
            Files.move(tmp, dir.resolve(ACKED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            persistedAck = through;
        }
        for (Segment seg : segments.values()) {
            if (seg != current && seg.last <= through) {
                segments.remove(seg.first);
                Files.deleteIfExists(seg.path);
            }
        }
    }

    /** Closes the current segment, so that it too can go once acknowledged; the next append starts a new one. */
    void seal() throws IOException {
        if (out != null) {
            out.force(false);
            out.close();
            out = null;
            current = null;
        }
    }

    @Override
    public void close() {
        try {
            seal();
            closeReader();
            release();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the usage spool in " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }
}
