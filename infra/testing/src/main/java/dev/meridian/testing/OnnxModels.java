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

    /**
     * A model that loads and starts, then spins: a {@code Loop} whose trip count is its INT64 scalar input {@code x}
     * plus 10<sup>15</sup>, adding 1 to a counter each time round. Fed zeros it runs for as long as it is let.
     */
    public static byte[] spinningLoop() {
        return new Builder().spinningLoop().bytes();
    }

    /**
     * A model that passes a zero-filled trial run and spins on other inputs: a {@code Loop} whose trip count is its
     * INT64 scalar input {@code x} itself, adding 1 to a counter each time round (output {@code y}, INT64 scalar).
     * Fed 0 it answers 0 at once; fed 10<sup>15</sup> it runs for as long as it is let.
     */
    public static byte[] loopsFromInput() {
        return new Builder().loopsFromInput().bytes();
    }

    /**
     * A model that loads and starts, then asks for {@code elements} floats at once: {@code ConstantOfShape} of the
     * shape {@code x + [elements]}, from its INT64 input {@code x} of shape [1], so nothing is allocated before it runs.
     */
    public static byte[] allocatesFromInput(long elements) {
        return new Builder().allocatesFromInput(elements).bytes();
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

        /** See {@link OnnxModels#spinningLoop()}. */
        public Builder spinningLoop() {
            // Loop's body: (iteration_num, cond_in, v_in) -> (cond_out, v_out) = (cond_in, v_in + 1)
            byte[] body = graph("spin-body",
                    List.of(node("keep-going", "Identity", List.of("cond_in"), List.of("cond_out")),
                            node("count", "Add", List.of("v_in", "one"), List.of("v_out"))),
                    List.of(int64Tensor("one", new long[0], 1)),
                    List.of(valueInfo("iteration_num", INT64), valueInfo("cond_in", BOOL), valueInfo("v_in", INT64)),
                    List.of(valueInfo("cond_out", BOOL), valueInfo("v_out", INT64)));
            // the trip count depends on the input, so no optimiser can fold the loop away before it runs
            initializers.add(int64Tensor("forever", new long[0], 1_000_000_000_000_000L));
            initializers.add(int64Tensor("start", new long[0], 0));
            nodes.add(node("trips", "Add", List.of("x", "forever"), List.of("m")));
            nodes.add(node("spin", "Loop", List.of("m", "", "start"), List.of("y"), graphAttribute("body", body)));
            inputs.add(valueInfo("x", INT64));
            outputs.add(valueInfo("y", INT64));
            return this;
        }

        /** See {@link OnnxModels#loopsFromInput()}. */
        public Builder loopsFromInput() {
            byte[] body = graph("count-body",
                    List.of(node("keep-going", "Identity", List.of("cond_in"), List.of("cond_out")),
                            node("count", "Add", List.of("v_in", "one"), List.of("v_out"))),
                    List.of(int64Tensor("one", new long[0], 1)),
                    List.of(valueInfo("iteration_num", INT64), valueInfo("cond_in", BOOL), valueInfo("v_in", INT64)),
                    List.of(valueInfo("cond_out", BOOL), valueInfo("v_out", INT64)));
            initializers.add(int64Tensor("start", new long[0], 0));
            nodes.add(node("count", "Loop", List.of("x", "", "start"), List.of("y"), graphAttribute("body", body)));
            inputs.add(valueInfo("x", INT64));
            outputs.add(valueInfo("y", INT64));
            return this;
        }

        /** See {@link OnnxModels#allocatesFromInput(long)}. */
        public Builder allocatesFromInput(long elements) {
            initializers.add(int64Tensor("size", new long[] {1}, elements));
            nodes.add(node("shape", "Add", List.of("x", "size"), List.of("s")));
            // filled with ones, so that an allocation the system grants lazily is touched all the same
            byte[] one = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).array();
            nodes.add(node("fill", "ConstantOfShape", List.of("s"), List.of("y"),
                    tensorAttribute("value", tensor("value", FLOAT, new long[] {1}, one, false))));
            inputs.add(valueInfo("x", INT64, 1L));
            outputs.add(valueInfo("y", FLOAT, "n"));
            return this;
        }

        public byte[] bytes() {
            return message(out -> {
                out.writeInt64(1, irVersion);
                out.writeString(2, "meridian-tests");
                out.writeByteArray(7, graph("test-graph", nodes, initializers, inputs, outputs));
                out.writeByteArray(8, message(o -> {
                    o.writeString(1, "");
                    o.writeInt64(2, opset);
                }));
            });
        }
    }

    static byte[] graph(String name, List<byte[]> nodes, List<byte[]> initializers, List<byte[]> inputs,
            List<byte[]> outputs) {
        return message(g -> {
            for (byte[] n : nodes) {
                g.writeByteArray(1, n);
            }
            g.writeString(2, name);
            for (byte[] t : initializers) {
                g.writeByteArray(5, t);
            }
            for (byte[] i : inputs) {
                g.writeByteArray(11, i);
            }
            for (byte[] o : outputs) {
                g.writeByteArray(12, o);
            }
        });
    }

    static byte[] node(String name, String op, List<String> in, List<String> out, byte[]... attributes) {
        return message(n -> {
            for (String i : in) {
                n.writeString(1, i);
            }
            for (String o : out) {
                n.writeString(2, o);
            }
            n.writeString(3, name);
            n.writeString(4, op);
            for (byte[] a : attributes) {
                n.writeByteArray(5, a);
            }
        });
    }

    /** An {@code AttributeProto} holding a tensor ({@code t}, type TENSOR). */
    static byte[] tensorAttribute(String name, byte[] tensor) {
        return message(a -> {
            a.writeString(1, name);
            a.writeByteArray(5, tensor);
            a.writeEnum(20, 4);
        });
    }

    /** An {@code AttributeProto} holding a graph ({@code g}, type GRAPH), such as a {@code Loop}'s body. */
    private static byte[] graphAttribute(String name, byte[] graph) {
        return message(a -> {
            a.writeString(1, name);
            a.writeByteArray(6, graph);
            a.writeEnum(20, 5);
        });
    }

    /** An INT64 tensor of shape {@code dims} ([] for a scalar), every element {@code value}. */
    static byte[] int64Tensor(String name, long[] dims, long value) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(count * 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            raw.putLong(value);
        }
        return tensor(name, INT64, dims, raw.array(), false);
    }

    static byte[] tensor(String name, int type, long[] dims, byte[] raw, boolean external) {
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
        return valueInfo(name, type, (Object) dynamic, width);
    }

    /**
     * A tensor value info of known rank: each of {@code dims} is a {@code String} (a named, dynamic dimension) or a
     * {@code Number} (a fixed one); none for a scalar.
     */
    static byte[] valueInfo(String name, int type, Object... dims) {
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(tp -> tp.writeByteArray(1, message(tt -> {
                tt.writeInt32(1, type);
                tt.writeByteArray(2, message(shape -> {
                    for (Object dim : dims) {
                        shape.writeByteArray(1, message(d -> {
                            if (dim instanceof String param) {
                                d.writeString(2, param);
                            } else {
                                d.writeInt64(1, ((Number) dim).longValue());
                            }
                        }));
                    }
                }));
            }))));
        });
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Writer writer) {
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
