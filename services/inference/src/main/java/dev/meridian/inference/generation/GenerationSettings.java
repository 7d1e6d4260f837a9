package dev.meridian.inference.generation;

/**
 * How one model version's {@link GenerationEngine} schedules sequences.
 *
 * @param kvBudgetBytes KV cache bytes the version's sequences may reserve together; a sequence reserves
 *        (prompt + max_tokens) × {@code kvBytesPerToken} when it is accepted and frees it when it ends
 * @param maxBatchSize most sequences in one decode step
 * @param maxQueued sequences that may wait for a batch slot; one more is refused with 429
 * @param continuousBatching whether waiting sequences join the running batch between decode steps (true), or only
 *        once it has emptied (false: static batching, for comparison)
 * @param joinWaitSteps with continuous batching, the most decode steps a waiting sequence waits for company before
 *        the running batch takes it in (a join copies the whole batch's KV cache, so joiners are gathered: they join
 *        at once only when they are at least a quarter of the free slots and of the running rows); 0 joins at once
 */
public record GenerationSettings(long kvBudgetBytes, int maxBatchSize, int maxQueued, boolean continuousBatching,
        int joinWaitSteps) {

    /** The default of {@link #joinWaitSteps}. */
    public static final int JOIN_WAIT_STEPS = 1;

    public GenerationSettings {
        if (kvBudgetBytes <= 0 || maxBatchSize < 1 || maxQueued < 0 || joinWaitSteps < 0) {
            throw new IllegalArgumentException("kv budget and batch size must be positive, the queue and the join wait"
                    + " not negative");
        }
    }
}
