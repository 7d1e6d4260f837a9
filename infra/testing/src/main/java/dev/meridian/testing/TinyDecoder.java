package dev.meridian.testing;

import static dev.meridian.testing.OnnxModels.FLOAT;
import static dev.meridian.testing.OnnxModels.INT64;
import static dev.meridian.testing.OnnxModels.graph;
import static dev.meridian.testing.OnnxModels.message;
import static dev.meridian.testing.OnnxModels.node;
import static dev.meridian.testing.OnnxModels.tensor;
import static dev.meridian.testing.OnnxModels.valueInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small generative language model for tests, built here rather than downloaded: an ONNX decoder in the layout
 * Hugging Face's exporters write for decoders with a KV cache, and a word-level {@code tokenizer.json} for it.
 *
 * <h2>The decoder</h2>
 * Inputs {@code input_ids} INT64 [batch, sequence], {@code attention_mask} INT64 [batch, past + sequence] (0 marks
 * padding), {@code position_ids} INT64 [batch, sequence] and, per layer {@code i}, {@code past_key_values.i.key} and
 * {@code past_key_values.i.value} FLOAT [batch, heads, past, head_dim] (past may be 0: the first step); outputs
 * {@code logits} FLOAT [batch, sequence, vocabulary] and {@code present.i.key}/{@code present.i.value} FLOAT [batch,
 * heads, past + sequence, head_dim]. Each layer is causal multi-head attention with a residual connection: token
 * embedding plus position embedding, then {@code layers} attention blocks, then a projection to the vocabulary. The
 * causal mask compares positions in the concatenated sequence, so left padding (masked by {@code attention_mask})
 * works as in a batch of prompts of different lengths.
 *
 * <h2>Counting weights</h2>
 * With {@link Builder#counting(float)} the embedding of each word carries a one-hot component of that strength and
 * the output projection maps it to the word's successor: greedy decoding after {@code a b c} goes {@code d e f ... z
 * </s>}; after any word that is not a letter (a role marker, say) it starts at {@code a}. Attention still adds
 * context-dependent noise to every logit, so the cached and uncached loops are compared on real numbers. With
 * strength 0 (the default) the weights are random only.
 *
 * <h2>The package</h2>
 * {@link #packageZip()} writes what an exporter leaves in its output folder: {@code model.onnx},
 * {@code tokenizer.json}, {@code tokenizer_config.json} (with a {@code chat_template}), {@code config.json} (with
 * {@code max_position_embeddings}) and {@code generation_config.json} (bos, eos and pad ids).
 */
public final class TinyDecoder {

    /** Special words first (ids 0..6), then the 26 letters (ids 7..32), then a few words. */
    public static final List<String> SPECIALS = List.of("<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>",
            "<|assistant|>");
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int FIRST_LETTER = SPECIALS.size();
    public static final List<String> WORDS = words();
    /** The chat template in {@code tokenizer_config.json}: role markers around each message's content. */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}<|{{ message['role'] }}|> "
            + "{{ message['content'] }} {% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

    private final int layers;
    private final int heads;
    private final int headDim;
    private final int maxPositions;
    private final float counting;
    private final float attentionScale;
    private final long seed;
    private final boolean positionIdsInput;
    private final int declaredPresentHeadDim;

    private TinyDecoder(Builder b) {
        this.layers = b.layers;
        this.heads = b.heads;
        this.headDim = b.headDim;
        this.maxPositions = b.maxPositions;
        this.counting = b.counting;
        this.attentionScale = b.attentionScale;
        this.seed = b.seed;
        this.positionIdsInput = b.positionIdsInput;
        this.declaredPresentHeadDim = b.declaredPresentHeadDim;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Two layers, two heads of 24, 256 positions, counting weights of strength 6: greedy decoding counts letters. */
    public static TinyDecoder counting() {
        return builder().counting(6f).build();
    }

    public int vocabularySize() {
        return WORDS.size();
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** The id of a word of {@link #WORDS}. */
    public static int id(String word) {
        int id = WORDS.indexOf(word);
        if (id < 0) {
            throw new IllegalArgumentException("not in the vocabulary: " + word);
        }
        return id;
    }

    /** Under counting weights, the word greedy decoding writes after {@code id}. */
    public static int successor(int id) {
        int last = FIRST_LETTER + 25;
        if (id >= FIRST_LETTER && id < last) {
            return id + 1;
        }
        return id == last ? EOS : FIRST_LETTER;
    }

    public static final class Builder {
        private int layers = 2;
        private int heads = 2;
        private int headDim = 24;
        private int maxPositions = 256;
        private float counting = 0f;
        private float attentionScale = 0.5f;
        private long seed = 18;
        private boolean positionIdsInput = true;
        private int declaredPresentHeadDim = 0;

        public Builder layers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder heads(int heads, int headDim) {
            this.heads = heads;
            this.headDim = headDim;
            return this;
        }

        public Builder maxPositions(int maxPositions) {
            this.maxPositions = maxPositions;
            return this;
        }

        /** The strength of the one-hot "successor" path (0: random weights only). */
        public Builder counting(float strength) {
            this.counting = strength;
            return this;
        }

        /** The spread of the attention weights (uniform in ±scale/√hidden). */
        public Builder attentionScale(float scale) {
            this.attentionScale = scale;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * A decoder without the {@code position_ids} input, as some exporters write: it numbers the new tokens
         * itself, from the past's length on.
         */
        public Builder withoutPositionIds() {
            this.positionIdsInput = false;
            return this;
        }

        /**
         * Declares the {@code present.N.key/value} outputs with this head dimension instead of the real one: a KV
         * layout that does not match the past it extends (the graph itself is unchanged).
         */
        public Builder declaredPresentHeadDim(int headDim) {
            this.declaredPresentHeadDim = headDim;
            return this;
        }

        public TinyDecoder build() {
            if (heads * headDim < WORDS.size()) {
                throw new IllegalArgumentException("heads × head_dim must be at least the vocabulary size ("
                        + WORDS.size() + ") for the one-hot counting path");
            }
            return new TinyDecoder(this);
        }
    }

    /** The decoder as an ONNX model (opset 17). */
    public byte[] onnx() {
        int vocab = WORDS.size();
        int hidden = heads * headDim;
        var random = new SplittableRandom(seed);
        List<byte[]> nodes = new ArrayList<>();
        List<byte[]> inits = new ArrayList<>();
        List<byte[]> inputs = new ArrayList<>();
        List<byte[]> outputs = new ArrayList<>();

        float[] wte = uniform(random, vocab * hidden, 0.1f);
        for (int t = 0; t < vocab; t++) {
            wte[t * hidden + t] += counting;
        }
        inits.add(floats("wte", new long[] {vocab, hidden}, wte));
        inits.add(floats("wpe", new long[] {maxPositions, hidden}, uniform(random, maxPositions * hidden, 0.1f)));
        float[] wout = uniform(random, hidden * vocab, counting > 0 ? 0.05f : 1f);
        if (counting > 0) {
            for (int t = 0; t < vocab; t++) {
                wout[t * vocab + successor(t)] += 1f;
            }
        }
        inits.add(floats("wout", new long[] {hidden, vocab}, wout));
        inits.add(longs("split_heads", 0, 0, heads, headDim));
        inits.add(longs("merge_heads", 0, 0, hidden));
        inits.add(longs("axis_0", 0));
        inits.add(longs("axis_1", 1));
        inits.add(longs("axes_0_1", 0, 1));
        inits.add(longs("axes_1_2", 1, 2));
        inits.add(scalarLong("zero", 0));
        inits.add(scalarLong("one", 1));
        inits.add(scalarLong("two", 2));
        inits.add(floats("scale", new long[0], new float[] {(float) (1 / Math.sqrt(headDim))}));
        inits.add(floats("blocked_score", new long[0], new float[] {-1e4f}));

        inputs.add(valueInfo("input_ids", INT64, "batch_size", "sequence_length"));
        inputs.add(valueInfo("attention_mask", INT64, "batch_size", "total_sequence_length"));
        if (positionIdsInput) {
            inputs.add(valueInfo("position_ids", INT64, "batch_size", "sequence_length"));
        }
        for (int i = 0; i < layers; i++) {
            for (String kv : List.of("key", "value")) {
                inputs.add(valueInfo("past_key_values." + i + "." + kv, FLOAT, "batch_size", (long) heads,
                        "past_sequence_length", (long) headDim));
            }
        }
        outputs.add(valueInfo("logits", FLOAT, "batch_size", "sequence_length", (long) vocab));
        for (int i = 0; i < layers; i++) {
            for (String kv : List.of("key", "value")) {
                outputs.add(valueInfo("present." + i + "." + kv, FLOAT, "batch_size", (long) heads,
                        "total_sequence_length", (long) (declaredPresentHeadDim > 0 ? declaredPresentHeadDim
                                : headDim)));
            }
        }

        nodes.add(node("embed", "Gather", List.of("wte", "input_ids"), List.of("tok")));
        if (positionIdsInput) {
            nodes.add(node("embed_pos", "Gather", List.of("wpe", "position_ids"), List.of("pos")));
            nodes.add(node("h0", "Add", List.of("tok", "pos"), List.of("h0")));
        }
        // causal mask over the concatenated sequence: query j (at past + j) sees keys 0..past + j that are not padding
        nodes.add(node("past_shape", "Shape", List.of("past_key_values.0.key"), List.of("past_shape")));
        nodes.add(node("past_len", "Gather", List.of("past_shape", "two"), List.of("past_len")));
        nodes.add(node("ids_shape", "Shape", List.of("input_ids"), List.of("ids_shape")));
        nodes.add(node("seq_len", "Gather", List.of("ids_shape", "one"), List.of("seq_len")));
        nodes.add(node("total_len", "Add", List.of("past_len", "seq_len"), List.of("total_len")));
        nodes.add(node("key_pos", "Range", List.of("zero", "total_len", "one"), List.of("key_pos")));
        nodes.add(node("query_pos", "Range", List.of("past_len", "total_len", "one"), List.of("query_pos")));
        nodes.add(node("key_row", "Unsqueeze", List.of("key_pos", "axis_0"), List.of("key_row")));
        nodes.add(node("query_col", "Unsqueeze", List.of("query_pos", "axis_1"), List.of("query_col")));
        nodes.add(node("future", "Greater", List.of("key_row", "query_col"), List.of("future")));
        nodes.add(node("future4", "Unsqueeze", List.of("future", "axes_0_1"), List.of("future4")));
        nodes.add(node("padding", "Equal", List.of("attention_mask", "zero"), List.of("padding")));
        nodes.add(node("padding4", "Unsqueeze", List.of("padding", "axes_1_2"), List.of("padding4")));
        nodes.add(node("blocked", "Or", List.of("future4", "padding4"), List.of("blocked")));
        if (!positionIdsInput) {
            // positions past..past + sequence - 1, the same for every row of the batch
            nodes.add(node("embed_pos", "Gather", List.of("wpe", "query_pos"), List.of("pos")));
            nodes.add(node("h0", "Add", List.of("tok", "pos"), List.of("h0")));
        }

        String h = "h0";
        float spread = (float) (attentionScale / Math.sqrt(hidden));
        for (int i = 0; i < layers; i++) {
            String l = "l" + i + "_";
            for (String w : List.of("wq", "wk", "wv", "wo")) {
                inits.add(floats(l + w, new long[] {hidden, hidden}, uniform(random, hidden * hidden, spread)));
            }
            for (String p : List.of("q", "k", "v")) {
                nodes.add(node(l + p, "MatMul", List.of(h, l + "w" + p), List.of(l + p)));
                nodes.add(node(l + p + "4", "Reshape", List.of(l + p, "split_heads"), List.of(l + p + "4")));
                nodes.add(node(l + p + "h", "Transpose", List.of(l + p + "4"), List.of(l + p + "h"),
                        ints("perm", 0, 2, 1, 3)));
            }
            String key = "present." + i + ".key";
            String value = "present." + i + ".value";
            nodes.add(node(l + "cat_k", "Concat", List.of("past_key_values." + i + ".key", l + "kh"), List.of(key),
                    intAttr("axis", 2)));
            nodes.add(node(l + "cat_v", "Concat", List.of("past_key_values." + i + ".value", l + "vh"),
                    List.of(value), intAttr("axis", 2)));
            nodes.add(node(l + "kt", "Transpose", List.of(key), List.of(l + "kt"), ints("perm", 0, 1, 3, 2)));
            nodes.add(node(l + "scores", "MatMul", List.of(l + "qh", l + "kt"), List.of(l + "scores")));
            nodes.add(node(l + "scaled", "Mul", List.of(l + "scores", "scale"), List.of(l + "scaled")));
            nodes.add(node(l + "masked", "Where", List.of("blocked", "blocked_score", l + "scaled"),
                    List.of(l + "masked")));
            nodes.add(node(l + "weights", "Softmax", List.of(l + "masked"), List.of(l + "weights"),
                    intAttr("axis", -1)));
            nodes.add(node(l + "mix", "MatMul", List.of(l + "weights", value), List.of(l + "mix")));
            nodes.add(node(l + "mix_t", "Transpose", List.of(l + "mix"), List.of(l + "mix_t"),
                    ints("perm", 0, 2, 1, 3)));
            nodes.add(node(l + "merged", "Reshape", List.of(l + "mix_t", "merge_heads"), List.of(l + "merged")));
            nodes.add(node(l + "out", "MatMul", List.of(l + "merged", l + "wo"), List.of(l + "out")));
            nodes.add(node(l + "residual", "Add", List.of(h, l + "out"), List.of(l + "h")));
            h = l + "h";
        }
        nodes.add(node("logits", "MatMul", List.of(h, "wout"), List.of("logits")));

        byte[] graph = graph("meridian-tiny-decoder", nodes, inits, inputs, outputs);
        return message(out -> {
            out.writeInt64(1, 8);
            out.writeString(2, "meridian-tests");
            out.writeByteArray(7, graph);
            out.writeByteArray(8, message(o -> {
                o.writeString(1, "");
                o.writeInt64(2, 17);
            }));
        });
    }

    /** A Hugging Face {@code tokenizer.json}: a word-level model split on whitespace, the specials as added tokens. */
    public static String tokenizerJson() {
        var added = new StringBuilder();
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"content\":\"")
                    .append(SPECIALS.get(i)).append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,")
                    .append("\"normalized\":false,\"special\":true}");
        }
        var vocab = new StringBuilder();
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.append(i == 0 ? "" : ",").append('"').append(WORDS.get(i)).append("\":").append(i);
        }
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[" + added + "],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},\"post_processor\":null,"
                + "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},"
                + "\"unk_token\":\"<unk>\"}}";
    }

    /** {@code tokenizer_config.json} with {@link #CHAT_TEMPLATE}. */
    public static String tokenizerConfigJson() {
        return "{\"bos_token\":\"<s>\",\"eos_token\":\"</s>\",\"pad_token\":\"<pad>\",\"chat_template\":\""
                + CHAT_TEMPLATE.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    /** {@code generation_config.json}: bos, eos and pad ids. */
    public static String generationConfigJson() {
        return "{\"bos_token_id\":" + BOS + ",\"eos_token_id\":" + EOS + ",\"pad_token_id\":" + PAD + "}";
    }

    /** {@code config.json}: the model's shape, with {@code max_position_embeddings} as its context length. */
    public String configJson() {
        return "{\"model_type\":\"meridian-tiny\",\"vocab_size\":" + WORDS.size() + ",\"num_hidden_layers\":"
                + layers + ",\"num_attention_heads\":" + heads + ",\"hidden_size\":" + heads * headDim
                + ",\"max_position_embeddings\":" + maxPositions + "}";
    }

    /** The package's files by name, as an exporter writes them. */
    public Map<String, byte[]> files() {
        var files = new LinkedHashMap<String, byte[]>();
        files.put("model.onnx", onnx());
        files.put("tokenizer.json", tokenizerJson().getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer_config.json", tokenizerConfigJson().getBytes(StandardCharsets.UTF_8));
        files.put("config.json", configJson().getBytes(StandardCharsets.UTF_8));
        files.put("generation_config.json", generationConfigJson().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** {@link #files()} as one ZIP archive. */
    public byte[] packageZip() {
        return zip(files());
    }

    /** A ZIP archive of these files (for packages with a file changed or left out). */
    public static byte[] zip(Map<String, byte[]> files) {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<String> words() {
        var words = new ArrayList<>(SPECIALS);
        for (char c = 'a'; c <= 'z'; c++) {
            words.add(String.valueOf(c));
        }
        words.addAll(List.of("hello", "world", "the", "cat", "sat", "on", "mat"));
        return List.copyOf(words);
    }

    private static float[] uniform(SplittableRandom random, int count, float spread) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * spread);
        }
        return values;
    }

    private static byte[] floats(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            raw.putFloat(f);
        }
        return tensor(name, FLOAT, dims, raw.array(), false);
    }

    private static byte[] longs(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        return tensor(name, INT64, new long[] {values.length}, raw.array(), false);
    }

    private static byte[] scalarLong(String name, long value) {
        return OnnxModels.int64Tensor(name, new long[0], value);
    }

    /** An {@code AttributeProto} of type INT. */
    private static byte[] intAttr(String name, long value) {
        return message(a -> {
            a.writeString(1, name);
            a.writeInt64(3, value);
            a.writeEnum(20, 2);
        });
    }

    /** An {@code AttributeProto} of type INTS. */
    private static byte[] ints(String name, long... values) {
        return message(a -> {
            a.writeString(1, name);
            for (long v : values) {
                a.writeInt64(8, v);
            }
            a.writeEnum(20, 7);
        });
    }
}
