package dev.meridian.inference.batching;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How a model's batcher merged requests: model calls per batch size, requests and inputs served, and the padding the
 * batches cost (a batch is as wide as its widest input, so shorter inputs are padded to it).
 */
public final class BatchStats {

    /** Told of every model call as it ends (metrics record it); must be quick and must not throw. */
    public interface Listener {
        void executed(int batchSize, long paddedTokens, long nanos);
    }

    private static final Listener NONE = (size, padded, nanos) -> {
    };

    private final ConcurrentHashMap<Integer, LongAdder> executionsBySize = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder inputs = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final LongAdder queueNanos = new LongAdder();
    private final LongAdder computeNanos = new LongAdder();
    private final LongAdder paddedTokens = new LongAdder();
    private volatile Listener listener = NONE;

    /** Sets the one listener told of each model call. */
    public void listen(Listener l) {
        listener = l == null ? NONE : l;
    }

    void request(int inputCount, long queuedNanos) {
        requests.increment();
        inputs.add(inputCount);
        queueNanos.add(queuedNanos);
    }

    void execution(int batchSize, long padded, long nanos) {
        executions.increment();
        computeNanos.add(nanos);
        paddedTokens.add(padded);
        executionsBySize.computeIfAbsent(batchSize, k -> new LongAdder()).increment();
        listener.executed(batchSize, padded, nanos);
    }

    public record Snapshot(long requests, long inputs, long executions, long queueNanos, long computeNanos,
            Map<Integer, Long> executionsByBatchSize, long paddedTokens) {
    }

    public Snapshot snapshot() {
        Map<Integer, Long> sizes = new TreeMap<>();
        executionsBySize.forEach((k, v) -> sizes.put(k, v.sum()));
        return new Snapshot(requests.sum(), inputs.sum(), executions.sum(), queueNanos.sum(), computeNanos.sum(), sizes,
                paddedTokens.sum());
    }
}
