package dev.meridian.inference.batching;

import ai.onnxruntime.OrtException;
import dev.meridian.inference.runtime.OrtRuntime;
import dev.meridian.inference.runtime.TextEmbedder;
import dev.meridian.inference.runtime.TextEmbedder.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Dynamic batching for one model: requests that arrive while a batch forms (within {@code maxQueueDelay} of the
 * first) are merged into one model call, up to {@code maxBatchSize} items and {@code maxBatchTokens} padded
 * tokens (items × the widest item). Only requests with the same {@linkplain Shape#key shape key} share a call: a
 * tenant model's rows merge only with rows of the same trailing shape. One worker thread per model runs the calls,
 * so batches never compete for the cores.
 *
 * @param <I> one item of a request: a text's tokens, or one row of a tensor request
 * @param <O> the model's answer for one item, in the order of the items
 */
public final class InferenceBatcher<I, O> implements AutoCloseable {

    /** The limits of one model call. */
    public record Limits(int maxBatchSize, Duration maxQueueDelay, int maxBatchTokens) {
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
    private final BlockingQueue<Job<I, O>> queue = new LinkedBlockingQueue<>();
    private final BatchStats stats = new BatchStats();
    private final Thread worker;
    private volatile boolean running = true;
    private Job<I, O> carried;

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

    /** {@code model} runs one batch and answers one result per item, in order. */
    public InferenceBatcher(String name, Function<List<I>, List<O>> model, Shape<I> shape, Limits limits) {
        this.model = model;
        this.shape = shape;
        this.limits = limits;
        this.maxBatchSize = limits.maxBatchSize();
        this.maxDelayNanos = limits.maxQueueDelay().toNanos();
        this.maxBatchTokens = limits.maxBatchTokens();
        this.worker = Thread.ofPlatform().name("batcher-" + name).daemon().start(this::run);
    }

    /** Queues a request's items; the future completes with their results once the call that ran them is done. */
    public CompletableFuture<List<O>> submit(List<I> inputs) {
        int widest = inputs.stream().mapToInt(shape.width()).max().orElse(0);
        Object key = inputs.isEmpty() ? "" : shape.key().apply(inputs.get(0));
        var job = new Job<I, O>(inputs, key, widest, new CompletableFuture<>(), System.nanoTime());
        queue.add(job);
        if (!running && queue.remove(job)) {
            job.result().completeExceptionally(new IllegalStateException("model is shutting down"));
        }
        return job.result();
    }

    public Limits limits() {
        return limits;
    }

    public BatchStats stats() {
        return stats;
    }

    private void run() {
        try {
            while (running) {
                List<Job<I, O>> batch = nextBatch();
                if (!batch.isEmpty()) {
                    execute(batch);
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            // Nothing waits forever: what is still queued (or carried to the next batch) fails.
            if (carried != null) {
                carried.result().completeExceptionally(new IllegalStateException("model is shutting down"));
            }
            Job<I, O> j;
            while ((j = queue.poll()) != null) {
                j.result().completeExceptionally(new IllegalStateException("model is shutting down"));
            }
        }
    }

    /** Waits for a first job, then takes whatever joins within the delay and fits the limits. */
    private List<Job<I, O>> nextBatch() throws InterruptedException {
        Job<I, O> first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
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
                while (to < all.size() && to - from < maxBatchSize) {
                    int width = Math.max(widest, shape.width().applyAsInt(all.get(to)));
                    if (to > from && (long) (to - from + 1) * width > maxBatchTokens) {
                        break;
                    }
                    widest = width;
                    to++;
                }
                long t0 = System.nanoTime();
                List<O> part = model.apply(all.subList(from, to));
                stats.execution(to - from, System.nanoTime() - t0);
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

    @Override
    public void close() {
        running = false;
        worker.interrupt();
    }
}
