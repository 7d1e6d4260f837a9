package dev.meridian.platform.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps the platform's processes running: each {@link SupervisedPart} is restarted with backoff when it exits
 * unasked; parts it only watches (PostgreSQL, servers it did not start) are listed but not restarted. Every change
 * of state is written to a status file, which {@code ./platform status} reads.
 */
public final class Supervisor {

    private final Backoff backoff;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Consumer<String> console;
    private final Path statusFile;
    private final List<Supplier<PartStatus>> listed = new CopyOnWriteArrayList<>();
    private final List<SupervisedPart> supervised = new CopyOnWriteArrayList<>();
    private final Map<String, SupervisedPart> byName = new ConcurrentHashMap<>();

    /** {@code statusFile} may be null (nothing written). */
    public Supervisor(Backoff backoff, Scheduler scheduler, Clock clock, Consumer<String> console, Path statusFile) {
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.clock = clock;
        this.console = console;
        this.statusFile = statusFile;
    }

    /** A part to keep running; listed from now on, started by {@link SupervisedPart#start()}. */
    public SupervisedPart add(String name, String url, Supplier<Child> starter) {
        var part = new SupervisedPart(name, url, starter, backoff, scheduler, clock, console, this::changed);
        if (byName.putIfAbsent(name, part) != null) {
            throw new IllegalArgumentException("two parts named " + name);
        }
        supervised.add(part);
        listed.add(part::status);
        changed();
        return part;
    }

    /** A part to list but not restart; {@code status} is asked each time the status is written. */
    public void watch(Supplier<PartStatus> status) {
        listed.add(status);
        changed();
    }

    public SupervisedPart part(String name) {
        SupervisedPart part = byName.get(name);
        if (part == null) {
            throw new IllegalArgumentException("no part named " + name + "; parts: " + byName.keySet());
        }
        return part;
    }

    public List<SupervisedPart> parts() {
        return List.copyOf(supervised);
    }

    /** Every part, the supervisor itself first, in the order they were added. */
    public List<PartStatus> status() {
        List<PartStatus> all = new ArrayList<>();
        all.add(new PartStatus("supervisor", "running", ProcessHandle.current().pid(), "-", -1, ""));
        listed.forEach(s -> all.add(s.get()));
        return all;
    }

    /**
     * Stops every supervised part, the last added first. All are marked stopped before the first is stopped, so that
     * none is restarted meanwhile (at JVM exit each child's own shutdown hook may already be ending it).
     */
    public void stopAll() {
        List<SupervisedPart> reversed = new ArrayList<>(supervised).reversed();
        List<Child> children = new ArrayList<>();
        reversed.forEach(part -> children.add(part.detach()));
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i) == null) {
                continue;
            }
            try {
                children.get(i).stop().run();
            } catch (RuntimeException e) {
                console.accept("while stopping " + reversed.get(i).name() + ": " + e.getMessage());
            }
        }
    }

    private synchronized void changed() {
        if (statusFile == null) {
            return;
        }
        try {
            Files.createDirectories(statusFile.getParent());
            Path tmp = statusFile.resolveSibling(statusFile.getFileName() + ".tmp");
            var text = new StringBuilder();
            status().forEach(s -> text.append(s.toLine()).append('\n'));
            Files.writeString(tmp, text);
            Files.move(tmp, statusFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            console.accept("cannot write " + statusFile + ": " + e.getMessage());
        }
    }

    /** The parts as the status file last recorded them, each checked against the running processes. */
    public static List<PartStatus> read(Path statusFile) throws IOException {
        return Files.readAllLines(statusFile).stream().filter(l -> !l.isBlank()).map(PartStatus::parse)
                .map(PartStatus::checked).toList();
    }
}
