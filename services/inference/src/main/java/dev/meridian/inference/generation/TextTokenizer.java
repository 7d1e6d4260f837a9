package dev.meridian.inference.generation;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.meridian.common.models.GenerationSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A generative model's tokenizer ({@code tokenizer.json}, run by DJL's binding of Hugging Face's tokenizers): prompt
 * text to ids, beginning with the model's bos id where the tokenizer does not add it itself, and ids back to text
 * without special tokens.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Integer bosId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Integer bosId) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
    }

    /** The tokenizer in {@code tokenizerJson}, for a model described by {@code spec}. */
    public static TextTokenizer of(InputStream tokenizerJson, GenerationSpec spec) throws IOException {
        var tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("truncation", "false", "padding",
                "false", "addSpecialTokens", "true"));
        return new TextTokenizer(tokenizer, spec.bosTokenId());
    }

    /** The prompt's ids. */
    public long[] encode(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        if (bosId == null || (ids.length > 0 && ids[0] == bosId)) {
            return ids;
        }
        long[] withBos = new long[ids.length + 1];
        withBos[0] = bosId;
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** The text of {@code ids}, special tokens left out. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
