package dev.meridian.bench;

import dev.meridian.platform.RunningPlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a step's CPU went: the CPU time of the named platform processes and of this load generator (from the
 * operating system's per-process accounting), and the rest of the machine's busy time (/proc/stat: other services,
 * Kafka, Keycloak, PostgreSQL, the kernel). Divided by the texts served, that is the cost of one text on each side of
 * the calls, which tells the waiting from the work.
 */
final class CpuShares {

    /** Linux reports /proc/stat in clock ticks of 1/100 s on every architecture Java runs on here. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final List<String> names;
    private final List<ProcessHandle> processes = new ArrayList<>();

    CpuShares(RunningPlatform platform, String... parts) {
        this.names = List.of(parts);
        for (String part : parts) {
            long pid = platform.status().stream().filter(s -> s.name().equals(part)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the platform runs no part " + part)).pid();
            processes.add(ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(part + " is not running")));
        }
        processes.add(ProcessHandle.current());
    }

    List<String> columns() {
        List<String> out = new ArrayList<>(names);
        out.add("load generator");
        out.add("rest");
        return out;
    }

    /** CPU nanoseconds so far of each process (in {@link #columns()} order, without the rest), then the machine's busy time. */
    long[] sample() throws IOException {
        long[] out = new long[processes.size() + 1];
        for (int i = 0; i < processes.size(); i++) {
            out[i] = processes.get(i).info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        out[processes.size()] = machineBusyNanos();
        return out;
    }

    /** Milliseconds of CPU per text between two samples, per column, as "a / b / c / d". */
    String perText(long[] before, long[] after, long texts) {
        List<String> parts = new ArrayList<>();
        long ours = 0;
        for (int i = 0; i < processes.size(); i++) {
            long used = after[i] - before[i];
            ours += used;
            parts.add(ms(used, texts));
        }
        long busy = after[processes.size()] - before[processes.size()];
        parts.add(ms(Math.max(0, busy - ours), texts));
        return String.join(" / ", parts);
    }

    /**
     * CPU ticks so far of each group of {@code part}'s threads, by thread name without its number ("vert.x-eventloop-
     * thread-1" and "-0" are one group; the kernel keeps 15 characters of a name): GC, JIT compilers and Netty show
     * apart, which a Java profiler's execution samples do not.
     */
    Map<String, Long> threads(int part) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        long pid = processes.get(part).pid();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close).replaceAll("[#-]?\\d+$", "").replaceAll("[#-]?\\d+$", "");
                String[] rest = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]); // utime, stime
                out.merge(name, ticks, Long::sum);
            }
        }
        return out;
    }

    /** The thread groups that used the most CPU between two {@link #threads} samples, in ms per text. */
    static String topThreads(Map<String, Long> before, Map<String, Long> after, long texts, int top) {
        List<Map.Entry<String, Long>> used = new ArrayList<>();
        after.forEach((name, ticks) -> used.add(Map.entry(name, ticks - before.getOrDefault(name, 0L))));
        used.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        for (var e : used.subList(0, Math.min(top, used.size()))) {
            if (e.getValue() > 0) {
                parts.add(e.getKey() + " " + ms(e.getValue() * NANOS_PER_TICK, texts));
            }
        }
        return String.join(", ", parts);
    }

    private static String ms(long nanos, long texts) {
        return texts == 0 ? "-" : String.format(Locale.ROOT, "%.2f", nanos / 1e6 / texts);
    }

    private static long machineBusyNanos() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < cpu.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle and iowait
                busy += Long.parseLong(cpu[i]);
            }
        }
        return busy * NANOS_PER_TICK;
    }
}
