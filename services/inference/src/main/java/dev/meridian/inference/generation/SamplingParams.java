package dev.meridian.inference.generation;

/**
 * How one choice picks its tokens.
 *
 * @param temperature 0 for greedy decoding; else the softmax temperature (OpenAI allows up to 2)
 * @param topP nucleus sampling: keep the most likely tokens whose probabilities add up to this (1: all)
 * @param topK keep only the k most likely tokens (0: all)
 * @param seed the seed of this choice's random draws
 * @param maxTokens the most tokens the choice may generate
 */
public record SamplingParams(double temperature, double topP, int topK, long seed, int maxTokens) {

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, 1, 0, 0, maxTokens);
    }

    public boolean greedy() {
        return temperature == 0 || topK == 1;
    }
}
