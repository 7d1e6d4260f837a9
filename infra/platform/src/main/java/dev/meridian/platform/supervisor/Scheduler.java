package dev.meridian.platform.supervisor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs a task after a delay. The supervisor's restarts go through it, so that a test can run them when it likes. */
@FunctionalInterface
public interface Scheduler {

    void schedule(Duration delay, Runnable task);

    /** Each task on a virtual thread of its own after its delay: a restart blocks until the part is ready again. */
    static Scheduler virtualThreads() {
        Executor threads = Executors.newVirtualThreadPerTaskExecutor();
        return (delay, task) -> CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, threads)
                .execute(task);
    }
}
