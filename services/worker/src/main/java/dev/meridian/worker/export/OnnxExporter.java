package dev.meridian.worker.export;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.meridian.common.models.BaseModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the tuned model as one ONNX file: the base model's graph unchanged, its outputs replaced by pooling, L2
 * normalisation, the trained head (MatMul, Add) and Softmax, with the label names in {@code metadata_props}. Works
 * on the protobuf wire format directly: every field of the base model is copied byte for byte, so nothing this code
 * does not know about (opsets, functions, other metadata) is lost.
 *
 * <p>Ops appended and the opset each needs: Cast (6), Reshape with a shape input (5), MatMul (1), Gather (1),
 * LpNormalization (1), Add (1), Softmax (1; with a 2-D input and axis 1 its meaning is the same in every version).
 * A base model below opset 7 is refused.
 */
public final class OnnxExporter {

    public static final String OUTPUT = "probabilities";
    /** The output of {@link #pooled}: L2-normalised sentence vectors {@code [batch, dims]}. */
    public static final String EMBEDDING = "meridian_head/embedding";
    public static final String LABELS_KEY = "meridian.labels";
    public static final String BASE_MODEL_KEY = "meridian.base_model";

    // ModelProto
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_METADATA_PROPS = 14;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // AttributeProto
    private static final int ATTR_NAME = 1;
    private static final int ATTR_I = 3;
    private static final int ATTR_TYPE = 20;
    private static final int ATTR_TYPE_INT = 2;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private static final String NS = "meridian_head/";

    private OnnxExporter() {
    }

    /**
     * @param base the base model's ONNX bytes
     * @param hiddenOutput the base graph output holding the token states {@code [batch, tokens, dims]}
     * @param w the head's weights, row-major {@code [dims][labels]}
     */
    public static byte[] export(byte[] base, String hiddenOutput, BaseModel.Pooling pooling, float[] w, float[] b,
            List<String> labels, Map<String, String> metadata) {
        int k = labels.size();
        int dims = w.length / k;
        if (dims * k != w.length || b.length != k) {
            throw new IllegalArgumentException("head shape does not match " + k + " labels");
        }
        return rewrite(base, hiddenOutput, pooling, w, b, dims, k, labels, metadata);
    }

    /**
     * The base model with its outputs replaced by pooling and L2 normalisation, for the embedding pass: ONNX Runtime
     * then hands back one vector per text instead of every token's state, and the vectors are computed by exactly the
     * graph the exported model uses.
     */
    public static byte[] pooled(byte[] base, String hiddenOutput, BaseModel.Pooling pooling, int dims) {
        return rewrite(base, hiddenOutput, pooling, null, null, dims, 0, List.of(), Map.of());
    }

    private static byte[] rewrite(byte[] base, String hiddenOutput, BaseModel.Pooling pooling, float[] w, float[] b,
            int dims, int k, List<String> labels, Map<String, String> metadata) {
        try {
            long opset = defaultOpset(base);
            if (opset < 7) {
                throw new IllegalArgumentException("base model opset " + opset + " is too old to extend (need 7+)");
            }
            var out = new ByteArrayOutputStream(base.length + dims * k * 4 + 4096);
            CodedOutputStream co = CodedOutputStream.newInstance(out);
            CodedInputStream in = CodedInputStream.newInstance(base);
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH) {
                    co.writeByteArray(MODEL_GRAPH, graph(in.readByteArray(), hiddenOutput, pooling, w, b, dims, k));
                } else {
                    in.skipField(tag, co);
                }
            }
            var props = new java.util.LinkedHashMap<String, String>(metadata);
            if (w != null) {
                props.put(LABELS_KEY, jsonArray(labels));
            }
            for (var e : props.entrySet()) {
                co.writeByteArray(MODEL_METADATA_PROPS, message(m -> {
                    m.writeString(1, e.getKey());
                    m.writeString(2, e.getValue());
                }));
            }
            co.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the base model", e);
        }
    }

    /** The version of the default ("" or "ai.onnx") domain the model imports. */
    static long defaultOpset(byte[] model) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(model);
        in.setSizeLimit(Integer.MAX_VALUE);
        long version = -1;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == MODEL_OPSET_IMPORT) {
                CodedInputStream op = CodedInputStream.newInstance(in.readByteArray());
                String domain = "";
                long v = -1;
                for (int t = op.readTag(); t != 0; t = op.readTag()) {
                    switch (WireFormat.getTagFieldNumber(t)) {
                        case 1 -> domain = op.readString();
                        case 2 -> v = op.readInt64();
                        default -> op.skipField(t);
                    }
                }
                if (domain.isEmpty() || domain.equals("ai.onnx")) {
                    version = v;
                }
            } else {
                in.skipField(tag);
            }
        }
        return version;
    }

    private static byte[] graph(byte[] graph, String hidden, BaseModel.Pooling pooling, float[] w, float[] b,
            int dims, int k) throws IOException {
        var out = new ByteArrayOutputStream(graph.length + dims * k * 4 + 4096);
        CodedOutputStream co = CodedOutputStream.newInstance(out);
        CodedInputStream in = CodedInputStream.newInstance(graph);
        in.setSizeLimit(Integer.MAX_VALUE);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == GRAPH_OUTPUT) {
                in.skipField(tag); // the base model's outputs give way to the probabilities
            } else {
                in.skipField(tag, co);
            }
        }
        List<byte[]> nodes = new ArrayList<>();
        List<byte[]> initializers = new ArrayList<>();
        String pooled = NS + "pooled";
        if (pooling == BaseModel.Pooling.MEAN) {
            // sum of the token states under the mask; the mean's divisor cancels in the normalisation below
            nodes.add(node("Cast", List.of("attention_mask"), NS + "mask", Map.of("to", (long) FLOAT)));
            initializers.add(int64s(NS + "shape_b1s", new long[] {0, 1, -1}));
            nodes.add(node("Reshape", List.of(NS + "mask", NS + "shape_b1s"), NS + "mask_b1s", Map.of()));
            nodes.add(node("MatMul", List.of(NS + "mask_b1s", hidden), NS + "sum_b1d", Map.of()));
            initializers.add(int64s(NS + "shape_bd", new long[] {0, -1}));
            nodes.add(node("Reshape", List.of(NS + "sum_b1d", NS + "shape_bd"), pooled, Map.of()));
        } else {
            initializers.add(scalarInt64(NS + "cls_index", 0));
            nodes.add(node("Gather", List.of(hidden, NS + "cls_index"), pooled, Map.of("axis", 1L)));
        }
        nodes.add(node("LpNormalization", List.of(pooled), EMBEDDING, Map.of("axis", 1L, "p", 2L)));
        if (w == null) {
            for (byte[] n : nodes) {
                co.writeByteArray(GRAPH_NODE, n);
            }
            for (byte[] t : initializers) {
                co.writeByteArray(GRAPH_INITIALIZER, t);
            }
            co.writeByteArray(GRAPH_OUTPUT, outputInfo(EMBEDDING, dims));
            co.flush();
            return out.toByteArray();
        }
        initializers.add(floats(NS + "W", new long[] {dims, k}, w));
        initializers.add(floats(NS + "b", new long[] {k}, b));
        nodes.add(node("MatMul", List.of(NS + "embedding", NS + "W"), NS + "xw", Map.of()));
        nodes.add(node("Add", List.of(NS + "xw", NS + "b"), NS + "logits", Map.of()));
        nodes.add(node("Softmax", List.of(NS + "logits"), OUTPUT, Map.of("axis", 1L)));
        for (byte[] n : nodes) {
            co.writeByteArray(GRAPH_NODE, n);
        }
        for (byte[] t : initializers) {
            co.writeByteArray(GRAPH_INITIALIZER, t);
        }
        co.writeByteArray(GRAPH_OUTPUT, outputInfo(OUTPUT, k));
        co.flush();
        return out.toByteArray();
    }

    private static byte[] node(String op, List<String> inputs, String output, Map<String, Long> intAttributes)
            throws IOException {
        return message(m -> {
            for (String i : inputs) {
                m.writeString(NODE_INPUT, i);
            }
            m.writeString(NODE_OUTPUT, output);
            m.writeString(NODE_NAME, NS + op + "_" + output.substring(output.lastIndexOf('/') + 1));
            m.writeString(NODE_OP_TYPE, op);
            for (var a : new java.util.TreeMap<>(intAttributes).entrySet()) {
                m.writeByteArray(NODE_ATTRIBUTE, message(attr -> {
                    attr.writeString(ATTR_NAME, a.getKey());
                    attr.writeInt64(ATTR_I, a.getValue());
                    attr.writeInt32(ATTR_TYPE, ATTR_TYPE_INT);
                }));
            }
        });
    }

    private static byte[] floats(String name, long[] dims, float[] values) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        return tensor(name, dims, FLOAT, raw.array());
    }

    private static byte[] int64s(String name, long[] values) throws IOException {
        return tensor(name, new long[] {values.length}, INT64, le(values));
    }

    private static byte[] scalarInt64(String name, long value) throws IOException {
        return tensor(name, new long[0], INT64, le(new long[] {value}));
    }

    private static byte[] le(long[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        return raw.array();
    }

    private static byte[] tensor(String name, long[] dims, int type, byte[] raw) throws IOException {
        return message(t -> {
            for (long d : dims) {
                t.writeInt64(TENSOR_DIMS, d);
            }
            t.writeInt32(TENSOR_DATA_TYPE, type);
            t.writeString(TENSOR_NAME, name);
            t.writeByteArray(TENSOR_RAW_DATA, raw);
        });
    }

    /** ValueInfoProto of a float tensor {@code [batch, k]}. */
    private static byte[] outputInfo(String name, int k) throws IOException {
        byte[] shape = message(s -> {
            s.writeByteArray(1, message(d -> d.writeString(2, "batch")));
            s.writeByteArray(1, message(d -> d.writeInt64(1, k)));
        });
        byte[] tensorType = message(t -> {
            t.writeInt32(1, FLOAT);
            t.writeByteArray(2, shape);
        });
        byte[] type = message(t -> t.writeByteArray(1, tensorType));
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, type);
        });
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Writer writer) throws IOException {
        var bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writer.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    static String jsonArray(List<String> values) {
        var sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"');
            for (char c : values.get(i).toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
        return sb.append(']').toString();
    }
}
