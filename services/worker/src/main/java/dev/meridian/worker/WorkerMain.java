package dev.meridian.worker;

import dev.meridian.worker.config.WorkerConfig;
import dev.meridian.worker.health.HealthEndpoint;
import java.util.concurrent.CountDownLatch;

/** Starts a worker with {@link WorkerConfig#fromEnvironment()} and runs it until the process is stopped. */
public final class WorkerMain {

    private WorkerMain() {
    }

    /**
     * Runs until the process is stopped, serving its health on {@link WorkerConfig#healthPort()} when one is set. Its
     * consumers restart by themselves after a failure (readiness is DOWN meanwhile); should the job loop stop for good
     * (a JVM error), the process exits with status 1, so that its supervisor (Kubernetes restarts the pod) sees a dead
     * worker instead of a process that takes no jobs.
     */
    public static void main(String[] args) throws Exception {
        var worker = new Worker(WorkerConfig.fromEnvironment());
        var port = WorkerConfig.healthPort();
        var health = port.isPresent()
                ? HealthEndpoint.start(port.getAsInt(), worker::health, () -> !worker.died().isDone()) : null;
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            if (health != null) {
                health.close();
            }
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
