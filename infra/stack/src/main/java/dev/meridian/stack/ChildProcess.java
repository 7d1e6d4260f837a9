package dev.meridian.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server the stack started in its own process: output to a log file, an optional pid file, stopped with all of
 * its descendants, and a start that fails fast (with the log's tail) when the process dies or never gets ready.
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Path pidFile;
    private final long logOffset;

    private ChildProcess(String name, Process process, Path log, Path pidFile, long logOffset) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pidFile = pidFile;
        this.logOffset = logOffset;
    }

    /**
     * Starts {@code command}; {@code pidDir} may be null. A JVM shutdown hook stops the process if the caller never
     * closes it.
     */
    public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path workDir,
            Path log, Path pidDir) {
        try {
            Files.createDirectories(log.getParent());
            long offset = Files.exists(log) ? Files.size(log) : 0;
            var builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process p = builder.start();
            Path pidFile = null;
            if (pidDir != null) {
                Files.createDirectories(pidDir);
                pidFile = pidDir.resolve(name + ".pid");
                Files.writeString(pidFile, Long.toString(p.pid()));
            }
            var child = new ChildProcess(name, p, log, pidFile, offset);
            Runtime.getRuntime().addShutdownHook(new Thread(child::close, "stop-" + name));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Waits until {@code ready} holds; fails with the log's tail when the process exits or the time runs out. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting. Last lines of " + log + ":\n" + tail(40));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException(name + " was not ready after " + timeout.toSeconds() + " s. Last lines of "
                + log + ":\n" + tail(40));
    }

    /** For one-shot commands: waits for the process to end and fails unless it exited with 0. */
    public void awaitSuccess(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + tail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed with exit code " + process.exitValue() + ":\n" + tail(40));
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes with the exit code when the process ends, however it ends (stopped, crashed, killed). */
    public java.util.concurrent.CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    public Path log() {
        return log;
    }

    public String name() {
        return name;
    }

    /** What the process wrote since this start (the log file is appended to across restarts). */
    public String outputSinceStart() {
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(logOffset);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process and its descendants: politely first (SIGTERM), then by force after 20 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
            process.destroy();
            family.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale pid file is harmless: ./platform down checks the process before killing it
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The java binary of the running JVM, which ./platform and the tests made sure is 21 or newer. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
