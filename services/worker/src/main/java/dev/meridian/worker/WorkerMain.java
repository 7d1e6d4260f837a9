package dev.meridian.worker;

import dev.meridian.worker.config.WorkerConfig;
import java.util.concurrent.CountDownLatch;

/** Starts a worker with {@link WorkerConfig#fromEnvironment()} and runs it until the process is stopped. */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        var worker = new Worker(WorkerConfig.fromEnvironment());
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
