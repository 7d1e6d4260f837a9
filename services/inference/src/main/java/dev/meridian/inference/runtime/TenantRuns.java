package dev.meridian.inference.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Where tenant models run, apart from the base models (their batchers and {@link RunGate}): a fixed pool with a
 * bounded queue, a cap on each tenant's calls running or waiting, and a time limit per call that stops the call in
 * ONNX Runtime ({@link OrtSession.RunOptions#setTerminate}) from a watchdog thread, so the pool thread is free again
 * and a model whose work depends on its inputs cannot hold the service. The time each call ran is measured for
 * metering.
 */
public final class TenantRuns implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TenantRuns.class);

    /** A model call given the run options it must pass to {@link OrtSession#run}, so that it can be stopped. */
    @FunctionalInterface
    public interface Call<T> {
        T run(OrtSession.RunOptions options) throws Exception;
    }

    /** A call's answer and how long it ran in ONNX Runtime. */
    public record Timed<T>(T value, long runNanos) {
    }

    /** Counters for operators and tests. */
    public record Stats(int threads, int running, int queued, int maxQueued, long timeLimitMillis, long completed,
            long stoppedAtTimeLimit, long refused, long runMillis) {
    }

    /** A tenant's place among the calls it may have at once; close it when the call is answered. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final int threads;
    private final int maxQueued;
    private final int maxPerTenant;
    private final Duration timeLimit;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final Map<UUID, Integer> perTenant = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> onPool = ThreadLocal.withInitial(() -> false);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong stopped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong runNanos = new AtomicLong();

    public TenantRuns(int threads, int maxQueued, int maxPerTenant, Duration timeLimit) {
        if (threads < 1 || maxQueued < 1 || maxPerTenant < 1) {
            throw new IllegalArgumentException("tenant model runs need at least one thread, queue place and call per"
                    + " tenant (threads " + threads + ", max-queued " + maxQueued + ", max-per-tenant "
                    + maxPerTenant + ")");
        }
        this.threads = threads;
        this.maxQueued = maxQueued;
        this.maxPerTenant = maxPerTenant;
        this.timeLimit = timeLimit;
        var factory = Thread.ofPlatform().name("tenant-run-", 0).daemon().factory();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxQueued),
                r -> factory.newThread(() -> {
                    onPool.set(true);
                    r.run();
                }), new ThreadPoolExecutor.AbortPolicy());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tenant-run-watchdog").daemon().factory());
    }

    /** The pool itself, for batchers of tenant models: their batches run here, each under {@link #runHere}. */
    public Executor executor() {
        return pool;
    }

    public Duration timeLimit() {
        return timeLimit;
    }

    /**
     * Counts a call against its tenant's share.
     *
     * @throws RunRefused (429) when the tenant already has {@code max-per-tenant} calls running or waiting
     */
    public Permit admit(UUID tenant) {
        boolean[] admitted = {false};
        perTenant.compute(tenant, (t, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerTenant) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            refused.incrementAndGet();
            throw RunRefused.tenantBusy("this tenant already has " + maxPerTenant + " calls to its own models"
                    + " running or waiting (meridian.inference.tenant-models.runs.max-per-tenant); retry in a second");
        }
        boolean[] closed = {false};
        return () -> {
            if (!closed[0]) {
                closed[0] = true;
                // entries go when a tenant has no call, so the map holds only tenants with calls under way
                perTenant.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
            }
        };
    }

    /**
     * Runs the call on a pool thread within the time limit and waits for it.
     *
     * @throws RunRefused 503 when every thread is busy and the queue is full; 504 when the call was stopped at the
     *         time limit
     */
    public <T> Timed<T> run(String what, Call<T> call) throws Exception {
        if (onPool.get()) {
            return runHere(what, call);
        }
        var answer = new CompletableFuture<Timed<T>>();
        try {
            pool.execute(() -> {
                try {
                    answer.complete(runHere(what, call));
                } catch (Throwable e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            refused.incrementAndGet();
            throw RunRefused.overloaded("all " + threads + " threads for tenant models are busy and " + maxQueued
                    + " calls wait (meridian.inference.tenant-models.runs.max-queued); retry in a second");
        }
        // The caller waits for the call to end, also when it is stopped: its inputs and session must outlive it.
        try {
            return answer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /**
     * Runs the call on this thread within the time limit. ONNX Runtime checks the stop between operators (also
     * inside a {@code Loop}'s body), so a call ends at the limit plus at most one operator's time.
     */
    private <T> Timed<T> runHere(String what, Call<T> call) throws Exception {
        var options = new OrtSession.RunOptions();
        var state = new Object() {
            boolean done;
            boolean terminated;
        };
        long t0 = System.nanoTime();
        ScheduledFuture<?> stop = watchdog.schedule(() -> {
            synchronized (state) {
                if (!state.done) {
                    state.terminated = true;
                    try {
                        options.setTerminate(true);
                    } catch (OrtException e) {
                        LOG.warnf("cannot stop %s at its time limit: %s", what, e.getMessage());
                    }
                }
            }
        }, timeLimit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            T value = call.run(options);
            long nanos = System.nanoTime() - t0;
            completed.incrementAndGet();
            return new Timed<>(value, nanos);
        } catch (Exception e) {
            boolean terminated;
            synchronized (state) {
                terminated = state.terminated;
            }
            if (terminated) {
                stopped.incrementAndGet();
                LOG.infof("%s stopped at its time limit of %s", what, timeLimit);
                throw timeLimitError(what);
            }
            throw e;
        } finally {
            runNanos.addAndGet(System.nanoTime() - t0);
            stop.cancel(false);
            synchronized (state) {
                state.done = true;
                options.close();
            }
        }
    }

    /** Run time as metered: whole milliseconds, rounded up, so a call that ran at all counts at least 1. */
    public static long meteredMillis(long runNanos) {
        return runNanos <= 0 ? 0 : (runNanos + 999_999) / 1_000_000;
    }

    private RunRefused timeLimitError(String what) {
        return RunRefused.timeLimit(what + " ran longer than the time limit of " + timeLimit.toMillis() + " ms for"
                + " one call (meridian.inference.tenant-models.runs.time-limit) and was stopped; send smaller inputs"
                + " or make the model's work independent of input values");
    }

    public Stats stats() {
        return new Stats(threads, pool.getActiveCount(), pool.getQueue().size(), maxQueued, timeLimit.toMillis(),
                completed.get(), stopped.get(), refused.get(), TimeUnit.NANOSECONDS.toMillis(runNanos.get()));
    }

    /** Tenants with calls under way (for tests of the bound: entries go with their last call). */
    public int tenantsWithCalls() {
        return perTenant.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        watchdog.shutdownNow();
    }
}
