package dev.meridian.inference.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The running batch of one decoder: its rows and their KV cache as ONNX Runtime tensors. Rows of different lengths
 * are left-padded to a common width, padding masked by {@code attention_mask}. Between steps the {@code present.*}
 * outputs of one step are fed as the next step's {@code past_key_values.*} as they are (no copy); only when rows join
 * or leave ({@link #regroup}) is the cache copied out and packed again, dropping the columns that are padding in
 * every row. Used by one thread at a time (the engine's scheduler).
 */
final class DecodeBatch implements AutoCloseable {

    /** One sequence in the batch: how many tokens its cache holds and the token it feeds next. */
    static final class Row {
        int length;
        int pad;
        long next;
        /** The cache of a row that has just been prefilled, until it joins the batch: [name][heads × length × dim]. */
        float[][] prefilled;

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

    private List<Row> rows = List.of();
    private int width;
    /** The cache fed to the next step, by past name; owned by {@link #owner}. */
    private Map<String, OnnxTensor> past = Map.of();
    private AutoCloseable owner;

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

    List<Row> rows() {
        return rows;
    }

    int size() {
        return rows.size();
    }

    /** Columns of the cache (the longest row's length). */
    int width() {
        return width;
    }

    /** Bytes the cache tensors hold now. */
    long cacheBytes() {
        return (long) rows.size() * width * spec.kvBytesPerToken();
    }

    /** Runs a prompt alone against an empty cache: its last logits, and its row, not yet in the batch. */
    Prefill prefill(long[] ids) throws OrtException {
        int n = ids.length;
        long[] positions = new long[n];
        long[] mask = new long[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            mask[i] = 1;
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, n}));
            feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, n}));
            if (spec.positionIds()) {
                feed.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, n}));
            }
            long[] empty = {1, spec.kvHeads(), 0, spec.headDim()};
            for (String name : pastNames) {
                feed.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
            }
            try (OrtSession.Result result = session.run(feed, outputs)) {
                Row row = new Row();
                row.length = n;
                row.prefilled = new float[presentNames.size()][];
                for (int k = 0; k < presentNames.size(); k++) {
                    row.prefilled[k] = floats(result, presentNames.get(k));
                }
                float[] all = floats(result, "logits");
                int vocab = all.length / n;
                float[] last = new float[vocab];
                System.arraycopy(all, (n - 1) * vocab, last, 0, vocab);
                return new Prefill(row, last);
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Makes {@code keep} (rows of this batch, in any order) plus {@code joining} (prefilled rows) the batch: the
     * cache is copied once into tensors as wide as the longest row, each row right-aligned.
     */
    void regroup(List<Row> keep, List<Row> joining) throws OrtException {
        List<Row> next = new ArrayList<>(keep.size() + joining.size());
        next.addAll(keep);
        next.addAll(joining);
        int newWidth = next.stream().mapToInt(Row::length).max().orElse(0);
        int heads = spec.kvHeads();
        int dim = spec.headDim();
        Map<Row, Integer> oldIndex = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            oldIndex.put(rows.get(i), i);
        }
        Map<String, OnnxTensor> packed = new HashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        try {
            for (int k = 0; k < pastNames.size(); k++) {
                float[] old = keep.isEmpty() ? null : floats(past.get(pastNames.get(k)));
                float[] out = new float[next.size() * heads * newWidth * dim];
                for (int b = 0; b < next.size(); b++) {
                    Row row = next.get(b);
                    int len = row.length;
                    for (int h = 0; h < heads; h++) {
                        int to = ((b * heads + h) * newWidth + newWidth - len) * dim;
                        if (row.prefilled != null) {
                            System.arraycopy(row.prefilled[k], h * len * dim, out, to, len * dim);
                        } else {
                            int from = ((oldIndex.get(row) * heads + h) * width + row.pad) * dim;
                            System.arraycopy(old, from, out, to, len * dim);
                        }
                    }
                }
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(out),
                        new long[] {next.size(), heads, newWidth, dim});
                created.add(t);
                packed.put(pastNames.get(k), t);
            }
        } catch (OrtException | RuntimeException e) {
            created.forEach(OnnxTensor::close);
            throw e;
        }
        closeOwner();
        for (Row row : next) {
            row.prefilled = null;
            row.pad = newWidth - row.length;
        }
        rows = List.copyOf(next);
        width = newWidth;
        past = packed;
        owner = () -> created.forEach(OnnxTensor::close);
    }

    /**
     * One decode step for every row: feeds each row's {@link Row#next} token and answers the logits, [rows ×
     * vocabulary]; the step's {@code present.*} become the cache of the next step.
     */
    float[] step() throws OrtException {
        int b = rows.size();
        long[] ids = new long[b];
        long[] positions = new long[b];
        long[] mask = new long[b * (width + 1)];
        for (int i = 0; i < b; i++) {
            Row row = rows.get(i);
            ids[i] = row.next;
            positions[i] = row.length;
            for (int c = row.pad; c <= width; c++) {
                mask[i * (width + 1) + c] = 1;
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        OrtSession.Result result = null;
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {b, 1}));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                    new long[] {b, width + 1}));
            if (spec.positionIds()) {
                inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions),
                        new long[] {b, 1}));
            }
            Map<String, OnnxTensor> feed = new HashMap<>(inputs);
            feed.putAll(past);
            result = session.run(feed, outputs);
            float[] logits = floats(result, "logits");
            Map<String, OnnxTensor> present = new HashMap<>();
            for (int k = 0; k < pastNames.size(); k++) {
                present.put(pastNames.get(k), (OnnxTensor) result.get(presentNames.get(k)).orElseThrow());
            }
            closeOwner();
            past = present;
            owner = result;
            result = null;
            width++;
            for (Row row : rows) {
                row.length++;
            }
            return logits;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            if (result != null) {
                result.close();
            }
        }
    }

    private static float[] floats(OrtSession.Result result, String name) throws OrtException {
        var value = result.get(name).orElseThrow(() -> new IllegalStateException("the decoder gave no " + name));
        return floats((OnnxTensor) value);
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == buffer.remaining()) {
            return buffer.array();
        }
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private void closeOwner() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            owner = null;
        }
    }

    /** Empties the batch and frees its cache. */
    @Override
    public void close() {
        closeOwner();
        past = Map.of();
        rows = List.of();
        width = 0;
    }
}
