package dev.meridian.inference.batching;

import dev.meridian.inference.runtime.TextEmbedder;
import dev.meridian.inference.runtime.TextEmbedder.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Dynamic batching for one model: requests that arrive while a batch forms (within {@code maxQueueDelay} of the
 * first) are merged into one model call, up to {@code maxBatchSize} inputs and {@code maxBatchTokens} padded
 * tokens. One worker thread per model runs the calls, so batches never compete for the cores.
 */
public final class InferenceBatcher implements AutoCloseable {

    private record Job(List<Tokens> inputs, CompletableFuture<float[][]> result, long enqueuedAt) {
        int longest() {
            return inputs.stream().mapToInt(Tokens::length).max().orElse(0);
        }
    }

    private final Function<List<Tokens>, float[][]> model;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int maxBatchTokens;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final BatchStats stats = new BatchStats();
    private final Thread worker;
    private volatile boolean running = true;
    private Job carried;

    public InferenceBatcher(TextEmbedder embedder, int maxBatchSize, Duration maxQueueDelay, int maxBatchTokens) {
        this(embedder.model().id(), embedder::embed, maxBatchSize, maxQueueDelay, maxBatchTokens);
    }

    /** {@code model} runs one padded batch and answers a vector per input, in order. */
    public InferenceBatcher(String name, Function<List<Tokens>, float[][]> model, int maxBatchSize,
            Duration maxQueueDelay, int maxBatchTokens) {
        this.model = model;
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxQueueDelay.toNanos();
        this.maxBatchTokens = maxBatchTokens;
        this.worker = Thread.ofPlatform().name("batcher-" + name).daemon().start(this::run);
    }

    public CompletableFuture<float[][]> submit(List<Tokens> inputs) {
        var job = new Job(inputs, new CompletableFuture<>(), System.nanoTime());
        if (!running) {
            job.result().completeExceptionally(new IllegalStateException("model is shutting down"));
        } else {
            queue.add(job);
        }
        return job.result();
    }

    public BatchStats stats() {
        return stats;
    }

    private void run() {
        while (running) {
            try {
                List<Job> batch = nextBatch();
                if (!batch.isEmpty()) {
                    execute(batch);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits for a first job, then takes whatever joins within the delay and fits the limits. */
    private List<Job> nextBatch() throws InterruptedException {
        Job first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
            return List.of();
        }
        List<Job> batch = new ArrayList<>(List.of(first));
        int inputs = first.inputs().size();
        int longest = first.longest();
        long deadline = first.enqueuedAt() + maxDelayNanos;
        while (inputs < maxBatchSize) {
            long wait = deadline - System.nanoTime();
            Job next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            int size = inputs + next.inputs().size();
            int len = Math.max(longest, next.longest());
            if (size > maxBatchSize || (long) size * len > maxBatchTokens) {
                carried = next; // it starts the next batch
                break;
            }
            batch.add(next);
            inputs = size;
            longest = len;
        }
        return batch;
    }

    private void execute(List<Job> batch) {
        List<Tokens> all = new ArrayList<>();
        long now = System.nanoTime();
        for (Job j : batch) {
            all.addAll(j.inputs());
            stats.request(j.inputs().size(), now - j.enqueuedAt());
        }
        try {
            float[][] vectors = new float[all.size()][];
            // A single request larger than the limits runs in slices of the allowed size.
            int from = 0;
            while (from < all.size()) {
                int to = from;
                int longest = 0;
                while (to < all.size() && to - from < maxBatchSize) {
                    int len = Math.max(longest, all.get(to).length());
                    if (to > from && (long) (to - from + 1) * len > maxBatchTokens) {
                        break;
                    }
                    longest = len;
                    to++;
                }
                long t0 = System.nanoTime();
                float[][] part = model.apply(all.subList(from, to));
                stats.execution(to - from, System.nanoTime() - t0);
                System.arraycopy(part, 0, vectors, from, part.length);
                from = to;
            }
            int offset = 0;
            for (Job j : batch) {
                float[][] mine = new float[j.inputs().size()][];
                System.arraycopy(vectors, offset, mine, 0, mine.length);
                offset += mine.length;
                j.result().complete(mine);
            }
        } catch (RuntimeException e) {
            batch.forEach(j -> j.result().completeExceptionally(e));
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        Job j;
        while ((j = queue.poll()) != null) {
            j.result().completeExceptionally(new IllegalStateException("model is shutting down"));
        }
    }
}
