package dev.meridian.platform.supervisor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One process the supervisor keeps running: started by {@code starter} (which returns once the part is ready), and
 * started again with {@link Backoff} delays whenever it exits without being asked to, each restart announced on the
 * console. {@link #stop()} stops it for good (no restarts) until {@link #start()}.
 */
public final class SupervisedPart {

    public enum State { STARTING, RUNNING, RESTARTING, STOPPED }

    private final String name;
    private final String url;
    private final Supplier<Child> starter;
    private final Backoff backoff;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Consumer<String> console;
    private final Runnable changed;

    private State state = State.STOPPED;
    private Child child;
    private Instant upSince;
    private int restarts;
    private int attempt;
    private String note = "";
    /** Bumped by every start() and stop(), so that a restart scheduled before either does nothing. */
    private long generation;

    SupervisedPart(String name, String url, Supplier<Child> starter, Backoff backoff, Scheduler scheduler, Clock clock,
            Consumer<String> console, Runnable changed) {
        this.name = name;
        this.url = url;
        this.starter = starter;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.clock = clock;
        this.console = console;
        this.changed = changed;
    }

    /** Starts the part and returns once it is ready; throws (and leaves it stopped) when it cannot start. */
    public void start() {
        long run;
        synchronized (this) {
            if (state != State.STOPPED) {
                throw new IllegalStateException(name + " is " + state.name().toLowerCase() + ", not stopped");
            }
            state = State.STARTING;
            run = ++generation;
            attempt = 0;
            note = "";
        }
        changed.run();
        Child started;
        try {
            started = starter.get();
        } catch (RuntimeException e) {
            synchronized (this) {
                if (generation == run) {
                    state = State.STOPPED;
                    note = "did not start: " + firstLine(e);
                }
            }
            changed.run();
            throw e;
        }
        adopt(started, run, false);
    }

    /** Stops the part; it stays stopped (no restart) until {@link #start()}. */
    public void stop() {
        Child running = detach();
        if (running != null) {
            running.stop().run();
        }
    }

    /**
     * Marks the part stopped, so that neither its exit nor a restart already scheduled starts it again, and returns
     * its process (null if none) for the caller to stop.
     */
    Child detach() {
        Child running;
        synchronized (this) {
            if (state == State.STOPPED) {
                return null;
            }
            state = State.STOPPED;
            generation++;
            running = child;
            child = null;
            note = "stopped";
        }
        changed.run();
        return running;
    }

    private void adopt(Child started, long run, boolean restart) {
        boolean stoppedMeanwhile;
        synchronized (this) {
            stoppedMeanwhile = state != State.STARTING || generation != run;
            if (!stoppedMeanwhile) {
                child = started;
                upSince = clock.instant();
                state = State.RUNNING;
                note = "";
                if (restart) {
                    restarts++;
                }
            }
        }
        if (stoppedMeanwhile) {
            started.stop().run();
            return;
        }
        changed.run();
        if (restart) {
            console.accept(name + " is back (pid " + started.pid() + ", restart " + restarts() + ")");
        }
        started.exit().whenComplete((code, error) -> exited(started, code == null ? OptionalInt.empty() : code));
    }

    private void exited(Child ended, OptionalInt code) {
        String what = code.isPresent() ? "exited with code " + code.getAsInt() : "exited";
        long run;
        int n;
        Duration delay;
        synchronized (this) {
            if (child != ended || state != State.RUNNING) {
                return; // stopped on purpose, or an earlier run
            }
            child = null;
            if (Duration.between(upSince, clock.instant()).compareTo(backoff.resetAfter()) >= 0) {
                attempt = 0;
            }
            n = ++attempt;
            delay = backoff.delay(n);
            state = State.RESTARTING;
            note = what + " at " + clock.instant() + "; next try in " + seconds(delay);
            run = generation;
        }
        console.accept(name + " " + what + "; restarting in " + seconds(delay) + " (attempt " + n + ")");
        changed.run();
        scheduler.schedule(delay, () -> restart(run));
    }

    private void restart(long run) {
        synchronized (this) {
            if (state != State.RESTARTING || generation != run) {
                return;
            }
            state = State.STARTING;
        }
        changed.run();
        Child started;
        try {
            started = starter.get();
        } catch (RuntimeException e) {
            int n;
            Duration delay;
            synchronized (this) {
                if (state != State.STARTING || generation != run) {
                    return;
                }
                n = ++attempt;
                delay = backoff.delay(n);
                state = State.RESTARTING;
                note = "did not start: " + firstLine(e) + "; next try in " + seconds(delay);
            }
            console.accept(name + " did not start again (" + firstLine(e) + "); restarting in " + seconds(delay)
                    + " (attempt " + n + ")");
            changed.run();
            scheduler.schedule(delay, () -> restart(run));
            return;
        }
        adopt(started, run, true);
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    public synchronized State state() {
        return state;
    }

    /** The running process's pid, or 0 while there is none. */
    public synchronized long pid() {
        return child == null ? 0 : child.pid();
    }

    /** How many times the part was started again after it exited. */
    public synchronized int restarts() {
        return restarts;
    }

    public synchronized PartStatus status() {
        return new PartStatus(name, state.name().toLowerCase(), pid(), url, restarts, note);
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
