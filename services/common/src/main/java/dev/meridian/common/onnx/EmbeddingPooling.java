package dev.meridian.common.onnx;

import dev.meridian.common.models.BaseModel;

/**
 * Turns an encoder's token states into one unit-length vector per text. The inference service embeds and the worker
 * trains a head on vectors made here, so a tuned head sees in serving exactly what it was trained on (the worker's
 * exported graph repeats this in ONNX, and its tests compare the two).
 */
public final class EmbeddingPooling {

    private EmbeddingPooling() {
    }

    /** {@link #pool} then {@link #normalize}. */
    public static float[] embed(BaseModel.Pooling pooling, float[][] hidden, long[] mask) {
        return normalize(pool(pooling, hidden, mask));
    }

    /**
     * One vector of a sequence's token states ({@code hidden[token][dimension]}): the first token's for {@code CLS},
     * else the mean of the tokens whose {@code mask} is 1 (padding left out). {@code hidden} is not changed.
     */
    public static float[] pool(BaseModel.Pooling pooling, float[][] hidden, long[] mask) {
        if (pooling == BaseModel.Pooling.CLS) {
            return hidden[0].clone();
        }
        int dims = hidden[0].length;
        float[] sum = new float[dims];
        int count = 0;
        for (int t = 0; t < mask.length; t++) {
            if (mask[t] == 1) {
                for (int d = 0; d < dims; d++) {
                    sum[d] += hidden[t][d];
                }
                count++;
            }
        }
        for (int d = 0; d < dims; d++) {
            sum[d] /= Math.max(1, count);
        }
        return sum;
    }

    /** Scales {@code v} in place to unit L2 length (a zero vector stays zero) and returns it. */
    public static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }
}
