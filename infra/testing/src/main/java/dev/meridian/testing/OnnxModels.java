package dev.meridian.testing;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny ONNX models for tests, written field by field in the protobuf wire format of {@code onnx.proto}
 * ({@code ModelProto} → {@code GraphProto} → nodes, initializers, inputs, outputs).
 */
public final class OnnxModels {

    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int UINT16 = 4;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int STRING = 8;
    public static final int BOOL = 9;
    public static final int DOUBLE = 11;

    private OnnxModels() {
    }

    /** {@code y = x + w}: input {@code x} FLOAT [n, w.length] (n dynamic), output {@code y} of the same shape. */
    public static byte[] addConstant(float... w) {
        return new Builder().addConstant(w).bytes();
    }

    /** {@code y = Identity(x)} for a tensor of {@code elemType} and shape [n, width] (n dynamic). */
    public static byte[] identity(int elemType, int width) {
        return new Builder().identity(elemType, width).bytes();
    }

    /** A model builder, for variants (opset, external data, unknown operators). */
    public static final class Builder {
        private long irVersion = 8;
        private long opset = 13;
        private final List<byte[]> nodes = new ArrayList<>();
        private final List<byte[]> initializers = new ArrayList<>();
        private final List<byte[]> inputs = new ArrayList<>();
        private final List<byte[]> outputs = new ArrayList<>();

        public Builder opset(long opset) {
            this.opset = opset;
            return this;
        }

        public Builder addConstant(float... w) {
            ByteBuffer raw = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : w) {
                raw.putFloat(f);
            }
            initializers.add(tensor("w", FLOAT, new long[] {1, w.length}, raw.array(), false));
            nodes.add(node("add", "Add", List.of("x", "w"), List.of("y")));
            inputs.add(valueInfo("x", FLOAT, "n", w.length));
            outputs.add(valueInfo("y", FLOAT, "n", w.length));
            return this;
        }

        public Builder identity(int elemType, int width) {
            nodes.add(node("id", "Identity", List.of("x"), List.of("y")));
            inputs.add(valueInfo("x", elemType, "n", width));
            outputs.add(valueInfo("y", elemType, "n", width));
            return this;
        }

        /** {@code y = x + w} where w's data is declared to live in another file. */
        public Builder addExternalConstant(int width) {
            initializers.add(tensor("w", FLOAT, new long[] {1, width}, null, true));
            nodes.add(node("add", "Add", List.of("x", "w"), List.of("y")));
            inputs.add(valueInfo("x", FLOAT, "n", width));
            outputs.add(valueInfo("y", FLOAT, "n", width));
            return this;
        }

        /** A node whose operator ONNX Runtime does not know, so the model parses but cannot run. */
        public Builder unknownOperator(int width) {
            nodes.add(node("bad", "NoSuchOperatorAnywhere", List.of("x"), List.of("y")));
            inputs.add(valueInfo("x", FLOAT, "n", width));
            outputs.add(valueInfo("y", FLOAT, "n", width));
            return this;
        }

        public byte[] bytes() {
            return message(out -> {
                out.writeInt64(1, irVersion);
                out.writeString(2, "meridian-tests");
                out.writeByteArray(7, message(g -> {
                    for (byte[] n : nodes) {
                        g.writeByteArray(1, n);
                    }
                    g.writeString(2, "test-graph");
                    for (byte[] t : initializers) {
                        g.writeByteArray(5, t);
                    }
                    for (byte[] i : inputs) {
                        g.writeByteArray(11, i);
                    }
                    for (byte[] o : outputs) {
                        g.writeByteArray(12, o);
                    }
                }));
                out.writeByteArray(8, message(o -> {
                    o.writeString(1, "");
                    o.writeInt64(2, opset);
                }));
            });
        }
    }

    private static byte[] node(String name, String op, List<String> in, List<String> out) {
        return message(n -> {
            for (String i : in) {
                n.writeString(1, i);
            }
            for (String o : out) {
                n.writeString(2, o);
            }
            n.writeString(3, name);
            n.writeString(4, op);
        });
    }

    private static byte[] tensor(String name, int type, long[] dims, byte[] raw, boolean external) {
        return message(t -> {
            for (long d : dims) {
                t.writeInt64(1, d);
            }
            t.writeInt32(2, type);
            t.writeString(8, name);
            if (raw != null) {
                t.writeByteArray(9, raw);
            }
            if (external) {
                t.writeByteArray(13, message(e -> {
                    e.writeString(1, "location");
                    e.writeString(2, "weights.bin");
                }));
                t.writeEnum(14, 1);
            }
        });
    }

    /** A tensor value info with a first dimension named {@code dynamic} (dim_param) and a fixed second one. */
    private static byte[] valueInfo(String name, int type, String dynamic, long width) {
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(tp -> tp.writeByteArray(1, message(tt -> {
                tt.writeInt32(1, type);
                tt.writeByteArray(2, message(shape -> {
                    shape.writeByteArray(1, message(d -> d.writeString(2, dynamic)));
                    shape.writeByteArray(1, message(d -> d.writeInt64(1, width)));
                }));
            }))));
        });
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Writer writer) {
        try {
            var bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
