package dev.meridian.inference.runtime;

import ai.onnxruntime.OrtException;
import java.util.concurrent.Semaphore;

/**
 * How many base-model calls run at once in the process. Every base model's batcher passes through the one gate of
 * {@link OrtRuntime}, so calls of different models queue in arrival order instead of splitting the cores between more
 * intra-op threads than there are cores. Tenant models never pass it: they run on {@link TenantRuns}, so a tenant's
 * model that runs long cannot hold the gate that base-model embeddings wait on.
 */
public final class RunGate {

    /** A model call that may throw what ONNX Runtime throws. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws OrtException;
    }

    private final Semaphore slots;
    private final int size;

    public RunGate(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("at least one model call must be able to run, not " + size);
        }
        this.size = size;
        this.slots = new Semaphore(size, true);
    }

    public int size() {
        return size;
    }

    /** Runs the call once a slot is free. */
    public <T> T run(Call<T> call) throws OrtException {
        slots.acquireUninterruptibly();
        try {
            return call.run();
        } finally {
            slots.release();
        }
    }
}
