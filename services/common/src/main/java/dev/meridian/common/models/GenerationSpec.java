package dev.meridian.common.models;

import java.util.List;

/**
 * How to run a generative model version (a decoder with a KV cache): what the registry validated and stored beside
 * its ONNX file, and what inference needs to load and drive it. Sent in the registry's internal
 * {@code .../deployed} answer; {@code null} there for models that are not generative.
 *
 * @param tokenizerBlobKey where the version's {@code tokenizer.json} lies in the region's blob store
 * @param tokenizerSha256 its SHA-256, hex
 * @param chatTemplate the Jinja {@code chat_template} of {@code tokenizer_config.json}; null when the package has
 *        none (then only {@code /v1/completions} serves the model)
 * @param bosToken the text of the beginning-of-sequence token the template may use ({@code bos_token}); may be null
 * @param eosToken the text of the end-of-sequence token the template may use ({@code eos_token}); may be null
 * @param bosTokenId the id a prompt starts with when the tokenizer does not add it itself; null for none
 * @param eosTokenIds the ids that end generation (at least one)
 * @param padTokenId the id padding positions hold; null to use the first eos id
 * @param maxContext the most tokens (prompt plus completion) the model attends to
 * @param vocabSize the width of {@code logits}
 * @param layers how many {@code past_key_values.N.key/value} pairs the decoder takes
 * @param kvHeads the heads dimension of each KV tensor ([batch, kv_heads, sequence, head_dim])
 * @param headDim the last dimension of each KV tensor
 * @param positionIds whether the decoder takes a {@code position_ids} input
 */
public record GenerationSpec(String tokenizerBlobKey, String tokenizerSha256, String chatTemplate, String bosToken,
        String eosToken, Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId, int maxContext,
        int vocabSize, int layers, int kvHeads, int headDim, boolean positionIds) {

    /** The task of generative versions in the registry's views. */
    public static final String TASK = "text-generation";

    public GenerationSpec {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (eosTokenIds.isEmpty()) {
            throw new IllegalArgumentException("a generative model needs at least one eos token id");
        }
    }

    /** Bytes one token of context holds in the KV cache (keys and values of every layer, 32-bit floats). */
    public long kvBytesPerToken() {
        return 2L * layers * kvHeads * headDim * Float.BYTES;
    }

    /** The id padding positions hold. */
    public int padId() {
        return padTokenId != null ? padTokenId : eosTokenIds.getFirst();
    }
}
