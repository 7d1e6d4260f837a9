package dev.meridian.worker;

import dev.meridian.worker.config.WorkerConfig;
import java.util.concurrent.CountDownLatch;

/** Starts a worker with {@link WorkerConfig#fromEnvironment()} and runs it until the process is stopped. */
public final class WorkerMain {

    private WorkerMain() {
    }

    /**
     * Runs until the process is stopped; should the job loop stop by itself (its Kafka consumer failed for good), the
     * process exits with status 1, so that its supervisor (Kubernetes restarts the pod) sees a dead worker instead of
     * a process that takes no jobs.
     */
    public static void main(String[] args) throws InterruptedException {
        var worker = new Worker(WorkerConfig.fromEnvironment());
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }));
        // not on the loop's own thread: exiting runs the shutdown hook, which waits for that thread to end
        worker.died().thenAcceptAsync(cause -> {
            System.err.println("the worker's job loop stopped (" + cause + "); exiting so that it is restarted");
            System.exit(1); // runs the shutdown hook, which closes the worker
        });
        stopped.await();
    }
}
