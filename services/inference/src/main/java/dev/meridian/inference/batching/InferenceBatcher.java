package dev.meridian.inference.batching;

import ai.onnxruntime.OrtException;
import dev.meridian.common.onnx.Tokens;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.runtime.RunRefused;
import dev.meridian.inference.runtime.TextEmbedder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Continuous batching for one model: an idle model runs a request at once, and the requests that arrive while a call
 * runs are merged into the next call, up to {@code maxBatchSize} items and {@code maxBatchTokens} padded tokens
 * (items × the widest item); so nothing waits at low load and batches fill as load grows. A {@code maxQueueDelay}
 * above zero (Triton's {@code max_queue_delay}) makes a batch's first request also wait that long for company. Only requests with the same {@linkplain Shape#key shape key} share a call: a
 * tenant model's rows merge only with rows of the same trailing shape. The calls of one model run one at a time, so
 * batches never compete for the cores: on a thread of the model's own (base models) or, when the batcher is given an
 * executor, on a thread of that shared pool while the model has work (tenant models; no thread per version). At most
 * {@code maxQueuedRequests} requests wait; one more is refused ({@link RunRefused#overloaded}).
 *
 * @param <I> one item of a request: a text's tokens, or one row of a tensor request
 * @param <O> the model's answer for one item, in the order of the items
 */
public final class InferenceBatcher<I, O> implements AutoCloseable {

    /** The limits of one model call, and how many requests may wait for the next. */
    public record Limits(int maxBatchSize, Duration maxQueueDelay, int maxBatchTokens, int maxQueuedRequests) {

        public static final int DEFAULT_MAX_QUEUED = 1024;

        public Limits(int maxBatchSize, Duration maxQueueDelay, int maxBatchTokens) {
            this(maxBatchSize, maxQueueDelay, maxBatchTokens, DEFAULT_MAX_QUEUED);
        }
    }

    /** How items are measured: their padded width, and which items may share a call (equal keys). */
    public record Shape<I>(ToIntFunction<I> width, Function<I, Object> key) {
    }

    private record Job<I, O>(List<I> inputs, Object key, int widest, CompletableFuture<List<O>> result,
            long enqueuedAt) {
    }

    private final Function<List<I>, List<O>> model;
    private final Shape<I> shape;
    private final Limits limits;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int maxBatchTokens;
    private final String name;
    private final BlockingQueue<Job<I, O>> queue;
    private final BatchStats stats = new BatchStats();
    private final Executor executor;
    /** The executor this batcher made for itself (base models), shut down on close; null when given one. */
    private final ExecutorService own;
    /** Whether a drain of the queue is scheduled or running; at most one at a time. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean running = true;
    /** A job taken from the queue that did not fit the last batch; it starts the next. */
    private volatile Job<I, O> carried;

    /** A text embedding model: items are tokenized texts, padded to the longest in the call. */
    public static InferenceBatcher<Tokens, float[]> forText(TextEmbedder embedder, OrtRuntime ort, Limits limits) {
        return new InferenceBatcher<>(embedder.model().id(), batch -> {
            try {
                return Arrays.asList(ort.gated(() -> embedder.embed(batch)));
            } catch (OrtException e) {
                throw new IllegalStateException(embedder.model().id() + " failed on a batch: " + e.getMessage(), e);
            }
        }, new Shape<>(Tokens::length, t -> ""), limits);
    }

    /** {@code model} runs one batch and answers one result per item, in order; on a thread of this batcher's own. */
    public InferenceBatcher(String name, Function<List<I>, List<O>> model, Shape<I> shape, Limits limits) {
        this(name, model, shape, limits, null);
    }

    /**
     * As above, with the calls run on {@code executor} (a pool shared by many batchers); a drain that the executor
     * refuses fails the waiting requests with {@link RunRefused#overloaded}.
     */
    public InferenceBatcher(String name, Function<List<I>, List<O>> model, Shape<I> shape, Limits limits,
            Executor executor) {
        this.name = name;
        this.model = model;
        this.shape = shape;
        this.limits = limits;
        this.maxBatchSize = limits.maxBatchSize();
        this.maxDelayNanos = limits.maxQueueDelay().toNanos();
        this.maxBatchTokens = limits.maxBatchTokens();
        this.queue = new LinkedBlockingQueue<>(Math.max(1, limits.maxQueuedRequests()));
        this.own = executor == null
                ? Executors.newSingleThreadExecutor(Thread.ofPlatform().name("batcher-" + name).daemon().factory())
                : null;
        this.executor = executor == null ? own : executor;
    }

    /**
     * Queues a request's items; the future completes with their results once the call that ran them is done.
     *
     * @throws RunRefused when {@code maxQueuedRequests} requests already wait
     */
    public CompletableFuture<List<O>> submit(List<I> inputs) {
        int widest = inputs.stream().mapToInt(shape.width()).max().orElse(0);
        Object key = inputs.isEmpty() ? "" : shape.key().apply(inputs.get(0));
        var job = new Job<I, O>(inputs, key, widest, new CompletableFuture<>(), System.nanoTime());
        if (!running) {
            job.result().completeExceptionally(new IllegalStateException("model is shutting down"));
            return job.result();
        }
        if (!queue.offer(job)) {
            throw RunRefused.overloaded("model '" + name + "' has " + limits.maxQueuedRequests() + " requests waiting,"
                    + " as many as it queues; retry in a second");
        }
        schedule();
        return job.result();
    }

    /** Starts a drain unless one is under way; a drain that ends re-checks the queue, so no job is left behind. */
    private void schedule() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            draining.set(false);
            failQueued(() -> RunRefused.overloaded("every thread for model calls is busy and their queue is full;"
                    + " retry in a second"));
        }
    }

    public Limits limits() {
        return limits;
    }

    public BatchStats stats() {
        return stats;
    }

    private void drain() {
        try {
            while (running) {
                List<Job<I, O>> batch = nextBatch();
                if (batch.isEmpty()) {
                    break;
                }
                execute(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            draining.set(false);
            if (!running) {
                // Nothing waits forever: what is still queued (or carried to the next batch) fails.
                failQueued(() -> new IllegalStateException("model is shutting down"));
            } else if (carried != null || !queue.isEmpty()) {
                schedule();
            }
        }
    }

    private void failQueued(Supplier<RuntimeException> why) {
        Job<I, O> c = carried;
        if (c != null) {
            carried = null;
            c.result().completeExceptionally(why.get());
        }
        Job<I, O> j;
        while ((j = queue.poll()) != null) {
            j.result().completeExceptionally(why.get());
        }
    }

    /** Waits for a first job, then takes whatever joins within the delay and fits the limits. */
    private List<Job<I, O>> nextBatch() throws InterruptedException {
        Job<I, O> first = carried != null ? carried : queue.poll();
        carried = null;
        if (first == null) {
            return List.of();
        }
        List<Job<I, O>> batch = new ArrayList<>(List.of(first));
        int items = first.inputs().size();
        int widest = first.widest();
        long deadline = first.enqueuedAt() + maxDelayNanos;
        while (items < maxBatchSize) {
            long wait = deadline - System.nanoTime();
            Job<I, O> next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            int size = items + next.inputs().size();
            int width = Math.max(widest, next.widest());
            if (size > maxBatchSize || (long) size * width > maxBatchTokens || !Objects.equals(next.key(),
                    first.key())) {
                carried = next; // it starts the next batch
                break;
            }
            batch.add(next);
            items = size;
            widest = width;
        }
        return batch;
    }

    private void execute(List<Job<I, O>> batch) {
        List<I> all = new ArrayList<>();
        long now = System.nanoTime();
        for (Job<I, O> j : batch) {
            all.addAll(j.inputs());
            stats.request(j.inputs().size(), now - j.enqueuedAt());
        }
        try {
            List<O> results = new ArrayList<>(all.size());
            // A single request larger than the limits runs in slices of the allowed size.
            int from = 0;
            while (from < all.size()) {
                int to = from;
                int widest = 0;
                long used = 0;
                while (to < all.size() && to - from < maxBatchSize) {
                    int own = shape.width().applyAsInt(all.get(to));
                    int width = Math.max(widest, own);
                    if (to > from && (long) (to - from + 1) * width > maxBatchTokens) {
                        break;
                    }
                    widest = width;
                    used += own;
                    to++;
                }
                long t0 = System.nanoTime();
                List<O> part = model.apply(all.subList(from, to));
                stats.execution(to - from, (long) (to - from) * widest - used, System.nanoTime() - t0);
                if (part.size() != to - from) {
                    throw new IllegalStateException("the model answered " + part.size() + " results for "
                            + (to - from) + " items");
                }
                results.addAll(part);
                from = to;
            }
            int offset = 0;
            for (Job<I, O> j : batch) {
                int n = j.inputs().size();
                j.result().complete(List.copyOf(results.subList(offset, offset + n)));
                offset += n;
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(j -> j.result().completeExceptionally(e));
            if (e instanceof Error) {
                throw e;
            }
        }
    }

    /** Requests waiting for a call of this model now. */
    public int queued() {
        return queue.size() + (carried != null ? 1 : 0);
    }

    @Override
    public void close() {
        running = false;
        if (own != null) {
            own.shutdownNow();
        }
        if (!draining.get()) {
            failQueued(() -> new IllegalStateException("model is shutting down"));
        }
    }
}
