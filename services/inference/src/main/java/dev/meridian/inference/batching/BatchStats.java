package dev.meridian.inference.batching;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** How a model's batcher merged requests: model calls per batch size, requests and inputs served. */
public final class BatchStats {

    private final ConcurrentHashMap<Integer, LongAdder> executionsBySize = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder inputs = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final LongAdder queueNanos = new LongAdder();
    private final LongAdder computeNanos = new LongAdder();

    void request(int inputCount, long queuedNanos) {
        requests.increment();
        inputs.add(inputCount);
        queueNanos.add(queuedNanos);
    }

    void execution(int batchSize, long nanos) {
        executions.increment();
        computeNanos.add(nanos);
        executionsBySize.computeIfAbsent(batchSize, k -> new LongAdder()).increment();
    }

    public record Snapshot(long requests, long inputs, long executions, long queueNanos, long computeNanos,
            Map<Integer, Long> executionsByBatchSize) {
    }

    public Snapshot snapshot() {
        Map<Integer, Long> sizes = new TreeMap<>();
        executionsBySize.forEach((k, v) -> sizes.put(k, v.sum()));
        return new Snapshot(requests.sum(), inputs.sum(), executions.sum(), queueNanos.sum(), computeNanos.sum(), sizes);
    }
}
