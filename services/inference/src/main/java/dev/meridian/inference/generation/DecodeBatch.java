package dev.meridian.inference.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The running batch of one decoder: its rows and their KV cache. Rows of different lengths are left-padded to a
 * common width, padding masked by {@code attention_mask}. The cache lives in two sets of direct buffers that the
 * steps take turns on: a step reads {@code past_key_values.*} from one and ONNX Runtime writes {@code present.*}
 * straight into the other (pinned outputs), so steps copy nothing and the cache is always readable from Java. A
 * row that ends stays in place as a dead row (fully masked, fed the pad token, its logits ignored) until the next
 * {@link #regroup}, which packs the rows that remain plus the ones that join into the other set, dropping dead rows
 * and the columns that are padding in every row. Used by one thread at a time (the engine's scheduler).
 */
final class DecodeBatch implements AutoCloseable {

    /**
     * Most padded tokens one batched prefill runs (a longer prompt runs alone): its logits, [prompts × longest ×
     * vocabulary], are read whole.
     */
    static final int PREFILL_TOKENS = 1024;

    /** One sequence in the batch: how many tokens its cache holds and the token it feeds next. */
    static final class Row {
        int length;
        int pad;
        long next;
        /** Ended: it still takes a place in the batch until the next regroup, fully masked. */
        boolean dead;
        /** A just-prefilled row's cache until it joins: its prefill's outputs, [name][prompts × heads × width × dim]. */
        float[][] prefilled;
        int prefilledIndex;
        int prefilledWidth;

        int length() {
            return length;
        }
    }

    /** The logits of the last prompt token, and the row (with its cache) ready to join. */
    record Prefill(Row row, float[] logits) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final GenerationSpec spec;
    private final List<String> pastNames = new ArrayList<>();
    private final List<String> presentNames = new ArrayList<>();
    private final Set<String> outputs = new LinkedHashSet<>();
    private final Set<String> logitsOnly = Set.of("logits");

    private List<Row> rows = List.of();
    private int width;
    /** The cache fed to the next step, by past name: [rows × heads × width × dim] from index 0. */
    private FloatBuffer[] cache;
    /** Where the next step or regroup writes; null until first needed. */
    private FloatBuffer[] spare;
    private float[] zeros = new float[0];

    DecodeBatch(OrtEnvironment env, OrtSession session, GenerationSpec spec) {
        this.env = env;
        this.session = session;
        this.spec = spec;
        for (int i = 0; i < spec.layers(); i++) {
            for (String kv : List.of("key", "value")) {
                pastNames.add("past_key_values." + i + "." + kv);
                presentNames.add("present." + i + "." + kv);
            }
        }
        outputs.add("logits");
        outputs.addAll(presentNames);
    }

    /** Every row, dead ones included, in batch order. */
    List<Row> rows() {
        return rows;
    }

    int size() {
        return rows.size();
    }

    /** Rows that have ended but still take a place. */
    int dead() {
        int n = 0;
        for (Row row : rows) {
            if (row.dead) {
                n++;
            }
        }
        return n;
    }

    /** Columns of the cache (the longest row's length, dead rows included). */
    int width() {
        return width;
    }

    /** Bytes the cache holds now, dead rows and padding included. */
    long cacheBytes() {
        return (long) rows.size() * width * spec.kvBytesPerToken();
    }

    /** Runs a prompt alone against an empty cache: its last logits, and its row, not yet in the batch. */
    Prefill prefill(long[] ids) throws OrtException {
        return prefill(List.of(ids)).getFirst();
    }

    /**
     * Runs prompts against an empty cache, left-padded together into as few calls as {@link #PREFILL_TOKENS}
     * allows: one {@link Prefill} per prompt, in order. A decoder without {@code position_ids} numbers positions from
     * the first column whatever the padding, so its prompts run one by one.
     */
    List<Prefill> prefill(List<long[]> prompts) throws OrtException {
        List<Prefill> out = new ArrayList<>(prompts.size());
        int from = 0;
        while (from < prompts.size()) {
            int to = from + 1;
            int longest = prompts.get(from).length;
            while (spec.positionIds() && to < prompts.size()) {
                int wider = Math.max(longest, prompts.get(to).length);
                if ((long) (to + 1 - from) * wider > PREFILL_TOKENS) {
                    break;
                }
                longest = wider;
                to++;
            }
            out.addAll(prefillTogether(prompts.subList(from, to), longest));
            from = to;
        }
        return out;
    }

    private List<Prefill> prefillTogether(List<long[]> prompts, int n) throws OrtException {
        int b = prompts.size();
        long[] ids = new long[b * n];
        long[] positions = new long[b * n];
        long[] mask = new long[b * n];
        for (int r = 0; r < b; r++) {
            long[] prompt = prompts.get(r);
            int pad = n - prompt.length;
            for (int c = 0; c < n; c++) {
                int i = r * n + c;
                ids[i] = c < pad ? spec.padId() : prompt[c - pad];
                positions[i] = c < pad ? 0 : c - pad;
                mask[i] = c < pad ? 0 : 1;
            }
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {b, n}));
            feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {b, n}));
            if (spec.positionIds()) {
                feed.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {b, n}));
            }
            long[] empty = {b, spec.kvHeads(), 0, spec.headDim()};
            for (String name : pastNames) {
                feed.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
            }
            try (OrtSession.Result result = session.run(feed, outputs)) {
                float[][] caches = new float[presentNames.size()][];
                for (int k = 0; k < presentNames.size(); k++) {
                    caches[k] = floats(result, presentNames.get(k));
                }
                float[] all = floats(result, "logits");
                int vocab = all.length / (b * n);
                List<Prefill> out = new ArrayList<>(b);
                for (int r = 0; r < b; r++) {
                    Row row = new Row();
                    row.length = prompts.get(r).length;
                    row.prefilled = caches;
                    row.prefilledIndex = r;
                    row.prefilledWidth = n;
                    float[] last = new float[vocab];
                    System.arraycopy(all, ((r + 1) * n - 1) * vocab, last, 0, vocab);
                    out.add(new Prefill(row, last));
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Makes {@code keep} (rows of this batch, in any order; the others, dead or not, leave) plus {@code joining}
     * (prefilled rows) the batch: each row's cache is copied once into the spare buffers, as wide as the longest
     * row, right-aligned.
     */
    void regroup(List<Row> keep, List<Row> joining) {
        List<Row> next = new ArrayList<>(keep.size() + joining.size());
        next.addAll(keep);
        next.addAll(joining);
        if (next.isEmpty()) {
            close();
            return;
        }
        int newWidth = next.stream().mapToInt(Row::length).max().orElseThrow();
        int heads = spec.kvHeads();
        int dim = spec.headDim();
        Map<Row, Integer> oldIndex = new IdentityHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            oldIndex.put(rows.get(i), i);
        }
        spare = ensure(spare, (long) next.size() * heads * newWidth * dim);
        if (zeros.length < newWidth * dim) {
            zeros = new float[newWidth * dim];
        }
        for (int k = 0; k < pastNames.size(); k++) {
            FloatBuffer out = spare[k];
            for (int b = 0; b < next.size(); b++) {
                Row row = next.get(b);
                int len = row.length;
                int pad = newWidth - len;
                for (int h = 0; h < heads; h++) {
                    int rowStart = (b * heads + h) * newWidth * dim;
                    // padding is masked, but its values still meet a zero weight: keep them finite
                    out.put(rowStart, zeros, 0, pad * dim);
                    int to = rowStart + pad * dim;
                    if (row.prefilled != null) {
                        int w = row.prefilledWidth;
                        int from = ((row.prefilledIndex * heads + h) * w + w - len) * dim;
                        out.put(to, row.prefilled[k], from, len * dim);
                    } else {
                        int from = ((oldIndex.get(row) * heads + h) * width + row.pad) * dim;
                        out.put(to, cache[k], from, len * dim);
                    }
                }
            }
        }
        FloatBuffer[] written = spare;
        spare = cache;
        cache = written;
        for (Row row : next) {
            row.prefilled = null;
            row.pad = newWidth - row.length;
        }
        rows = List.copyOf(next);
        width = newWidth;
    }

    /**
     * One decode step for every row: feeds each live row's {@link Row#next} token (dead rows the pad token, fully
     * masked) and answers the logits, [rows × vocabulary]; the step's {@code present.*} become the cache of the next
     * step.
     */
    float[] step() throws OrtException {
        int b = rows.size();
        int heads = spec.kvHeads();
        int dim = spec.headDim();
        long[] ids = new long[b];
        long[] positions = new long[b];
        long[] mask = new long[b * (width + 1)];
        for (int i = 0; i < b; i++) {
            Row row = rows.get(i);
            if (row.dead) {
                ids[i] = spec.padId();
                continue;
            }
            ids[i] = row.next;
            positions[i] = row.length;
            for (int c = row.pad; c <= width; c++) {
                mask[i * (width + 1) + c] = 1;
            }
        }
        spare = ensure(spare, (long) b * heads * (width + 1) * dim);
        Map<String, OnnxTensor> feed = new HashMap<>();
        Map<String, OnnxTensor> pinned = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {b, 1}));
            feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {b, width + 1}));
            if (spec.positionIds()) {
                feed.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {b, 1}));
            }
            long[] pastShape = {b, heads, width, dim};
            long[] presentShape = {b, heads, width + 1, dim};
            for (int k = 0; k < pastNames.size(); k++) {
                feed.put(pastNames.get(k), OnnxTensor.createTensor(env,
                        cache[k].slice(0, b * heads * width * dim), pastShape));
                pinned.put(presentNames.get(k), OnnxTensor.createTensor(env,
                        spare[k].slice(0, b * heads * (width + 1) * dim), presentShape));
            }
            float[] logits;
            try (OrtSession.Result result = session.run(feed, logitsOnly, pinned)) {
                logits = floats(result, "logits");
            }
            FloatBuffer[] written = spare;
            spare = cache;
            cache = written;
            width++;
            for (Row row : rows) {
                row.length++;
                row.pad = width - row.length;
            }
            return logits;
        } finally {
            feed.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * {@code set} if it holds {@code floats} per name, else a new set with room to grow a while: a batch's cache
     * grows a column per step, and each new set is direct memory that only a garbage collection gives back. The
     * sets shrink when the batch goes idle ({@link #close}).
     */
    private FloatBuffer[] ensure(FloatBuffer[] set, long floats) {
        if (set != null && set[0].capacity() >= floats) {
            return set;
        }
        long room = Math.min(floats * 2, Integer.MAX_VALUE / Float.BYTES);
        if (floats > room) {
            throw new IllegalStateException("a KV cache tensor of " + floats * Float.BYTES + " bytes exceeds 2 GiB;"
                    + " lower the model's max batch size");
        }
        FloatBuffer[] grown = new FloatBuffer[pastNames.size()];
        for (int k = 0; k < grown.length; k++) {
            grown[k] = ByteBuffer.allocateDirect((int) room * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        return grown;
    }

    private static float[] floats(OrtSession.Result result, String name) {
        var value = result.get(name).orElseThrow(() -> new IllegalStateException("the decoder gave no " + name));
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == buffer.remaining()) {
            return buffer.array();
        }
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** Empties the batch, keeping its buffers for the next rows. */
    void clear() {
        rows = List.of();
        width = 0;
    }

    /** Empties the batch and lets its buffers go. */
    @Override
    public void close() {
        cache = null;
        spare = null;
        rows = List.of();
        width = 0;
    }
}
