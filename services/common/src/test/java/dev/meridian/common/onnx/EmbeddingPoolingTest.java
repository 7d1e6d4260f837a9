package dev.meridian.common.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.meridian.common.models.BaseModel;
import org.junit.jupiter.api.Test;

class EmbeddingPoolingTest {

    /** Three tokens of two dimensions; the third is padding. */
    private static final float[][] HIDDEN = {{1, 2}, {3, 6}, {100, -100}};
    private static final long[] MASK = {1, 1, 0};

    @Test
    void meanPoolingAveragesTheUnmaskedTokensOnly() {
        assertThat(EmbeddingPooling.pool(BaseModel.Pooling.MEAN, HIDDEN, MASK)).containsExactly(2f, 4f);
    }

    @Test
    void clsPoolingTakesTheFirstTokenWithoutChangingTheStates() {
        float[] cls = EmbeddingPooling.pool(BaseModel.Pooling.CLS, HIDDEN, MASK);
        cls[0] = 42;
        assertThat(HIDDEN[0]).containsExactly(1f, 2f);
    }

    @Test
    void embeddingsHaveUnitLengthInTheDirectionOfThePooledVector() {
        // mean (2, 4) has length sqrt(20): (1, 2) / sqrt(5)
        float[] v = EmbeddingPooling.embed(BaseModel.Pooling.MEAN, HIDDEN, MASK);
        assertThat(v).containsExactly(new float[] {(float) (1 / Math.sqrt(5)), (float) (2 / Math.sqrt(5))},
                within(1e-6f));
        // CLS (1, 2): the same direction
        assertThat(EmbeddingPooling.embed(BaseModel.Pooling.CLS, HIDDEN, MASK)).containsExactly(v, within(1e-6f));
    }

    @Test
    void aZeroVectorStaysZeroInsteadOfBecomingNaN() {
        assertThat(EmbeddingPooling.normalize(new float[] {0, 0, 0})).containsExactly(0f, 0f, 0f);
    }

    @Test
    void aSequenceOfPaddingOnlyPoolsToZero() {
        assertThat(EmbeddingPooling.embed(BaseModel.Pooling.MEAN, HIDDEN, new long[] {0, 0, 0}))
                .containsExactly(0f, 0f);
    }
}
