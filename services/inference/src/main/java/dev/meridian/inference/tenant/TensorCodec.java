package dev.meridian.inference.tenant;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.inference.rest.OipException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Open Inference Protocol JSON tensors to ONNX Runtime tensors and back, checked against what the model declares:
 * a wrong datatype, a shape of the wrong rank or with a wrong fixed dimension, or data of the wrong length is a 400
 * that names the input.
 */
public final class TensorCodec {

    /** An OIP output tensor: data is a flat, row-major array (a list of strings for BYTES). */
    public record Output(String name, String datatype, List<Long> shape, Object data) {

        /** One row of an output, by its index along the first dimension. */
        public record Row(Output output, int index) {
        }

        /** Stacks rows of outputs of one batched call (or of consecutive calls) back into one request's output. */
        public static Output stack(List<Row> rows) {
            Output first = rows.get(0).output();
            long width = 1;
            for (int i = 1; i < first.shape().size(); i++) {
                width *= first.shape().get(i);
            }
            int w = (int) width;
            Object out;
            if (first.data() instanceof List<?>) {
                List<Object> values = new ArrayList<>(rows.size() * w);
                for (Row r : rows) {
                    values.addAll(((List<?>) r.output().data()).subList(r.index() * w, (r.index() + 1) * w));
                }
                out = values;
            } else {
                out = Array.newInstance(first.data().getClass().getComponentType(), rows.size() * w);
                for (int i = 0; i < rows.size(); i++) {
                    Row r = rows.get(i);
                    System.arraycopy(r.output().data(), r.index() * w, out, i * w, w);
                }
            }
            List<Long> shape = new ArrayList<>(first.shape());
            shape.set(0, (long) rows.size());
            return new Output(first.name(), first.datatype(), List.copyOf(shape), out);
        }
    }

    private TensorCodec() {
    }

    public static OnnxTensor toTensor(OrtEnvironment env, DeployedModel.Tensor spec, JsonNode input)
            throws OrtException {
        return decode(spec, input).toOnnx(env);
    }

    /** Reads an OIP input into Java memory, checked against the model's declaration. */
    public static HostTensor decode(DeployedModel.Tensor spec, JsonNode input) {
        String name = spec.name();
        String datatype = input.path("datatype").asText();
        if (!spec.datatype().equals(datatype)) {
            throw new OipException(400, "input '" + name + "' has datatype " + (datatype.isEmpty() ? "none"
                    : datatype) + "; the model takes " + spec.datatype());
        }
        long[] shape = shape(name, input.path("shape"), spec.shape());
        long count = 1;
        long nonZero = 1; // ONNX Runtime multiplies every dimension, so [n, m, 0] must not overflow either
        for (long d : shape) {
            count = saturatedMultiply(count, d);
            nonZero = d == 0 ? nonZero : saturatedMultiply(nonZero, d);
        }
        if (count == 0 && nonZero > Integer.MAX_VALUE) {
            throw new OipException(400, "input '" + name + "' has shape " + Arrays.toString(shape) + ": its other "
                    + "dimensions multiply to more than " + Integer.MAX_VALUE + ", which no tensor may have, even an "
                    + "empty one; send smaller dimensions");
        }
        if (count > Integer.MAX_VALUE) {
            // a product past what any request body can carry (or past a long): refuse it rather than overflow
            throw new OipException(400, "input '" + name + "' has shape " + Arrays.toString(shape) + ", which holds "
                    + (count == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : count) + " elements; send at most "
                    + Integer.MAX_VALUE + " in one request");
        }
        JsonNode data = flatten(input.path("data"));
        if (data.size() != count) {
            throw new OipException(400, "input '" + name + "' has shape " + Arrays.toString(shape) + ", which holds "
                    + count + " elements, but data has " + data.size());
        }
        int n = (int) count;
        Object values = switch (datatype) {
            case "FP32" -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) number(name, data.get(i));
                }
                yield v;
            }
            case "FP64" -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = number(name, data.get(i));
                }
                yield v;
            }
            case "FP16" -> {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.floatToFloat16((float) number(name, data.get(i)));
                }
                yield v;
            }
            case "INT64" -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = integer(name, data.get(i), Long.MIN_VALUE, Long.MAX_VALUE);
                }
                yield v;
            }
            case "INT32" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (int) integer(name, data.get(i), Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                yield v;
            }
            case "INT16" -> {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (short) integer(name, data.get(i), Short.MIN_VALUE, Short.MAX_VALUE);
                }
                yield v;
            }
            case "INT8", "UINT8", "BOOL" -> {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    JsonNode x = data.get(i);
                    long b = switch (datatype) {
                        case "INT8" -> integer(name, x, Byte.MIN_VALUE, Byte.MAX_VALUE);
                        case "UINT8" -> integer(name, x, 0, 255);
                        default -> bool(name, x) ? 1 : 0;
                    };
                    v[i] = (byte) b;
                }
                yield v;
            }
            case "BYTES" -> {
                String[] v = new String[n];
                for (int i = 0; i < n; i++) {
                    if (!data.get(i).isTextual()) {
                        throw new OipException(400, "input '" + name + "' is BYTES; element " + i + " is not a"
                                + " string: " + data.get(i));
                    }
                    v[i] = data.get(i).asText();
                }
                yield v;
            }
            default -> throw new OipException(400, "input '" + name + "': datatype " + datatype
                    + " is not served");
        };
        return new HostTensor(datatype, shape, values);
    }

    private static long[] shape(String name, JsonNode given, List<Long> declared) {
        if (!given.isArray() || given.isEmpty() && declared != null && !declared.isEmpty()) {
            throw new OipException(400, "input '" + name + "' needs a `shape`"
                    + (declared == null ? "" : " like " + declared + " (-1: any size)"));
        }
        long[] shape = new long[given.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = given.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new OipException(400, "input '" + name + "' has an invalid shape " + given + "; each dimension"
                        + " is a whole number from 0 to " + Integer.MAX_VALUE);
            }
            shape[i] = d.asLong();
        }
        if (declared != null) {
            boolean fits = declared.size() == shape.length;
            for (int i = 0; fits && i < shape.length; i++) {
                fits = declared.get(i) < 0 || declared.get(i) == shape[i];
            }
            if (!fits) {
                throw new OipException(400, "input '" + name + "' has shape " + given + "; the model takes "
                        + declared + " (-1: any size)");
            }
        }
        return shape;
    }

    /** OIP allows data as a flat array or nested row-major arrays; both become one flat array here. */
    private static JsonNode flatten(JsonNode data) {
        var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        if (!data.isArray()) {
            return out;
        }
        flattenInto(data, out);
        return out;
    }

    private static void flattenInto(JsonNode node, com.fasterxml.jackson.databind.node.ArrayNode out) {
        for (JsonNode x : node) {
            if (x.isArray()) {
                flattenInto(x, out);
            } else {
                out.add(x);
            }
        }
    }

    private static double number(String name, JsonNode x) {
        if (!x.isNumber()) {
            throw new OipException(400, "input '" + name + "' holds a non-number: " + x);
        }
        return x.asDouble();
    }

    private static long integer(String name, JsonNode x, long min, long max) {
        if (!x.isIntegralNumber() || !x.canConvertToLong() || x.asLong() < min || x.asLong() > max) {
            throw new OipException(400, "input '" + name + "' holds " + x + ", not an integer in [" + min + ", "
                    + max + "]");
        }
        return x.asLong();
    }

    private static boolean bool(String name, JsonNode x) {
        if (x.isBoolean()) {
            return x.asBoolean();
        }
        throw new OipException(400, "input '" + name + "' is BOOL; it holds " + x + " instead of true or false");
    }

    /** Reads an output of the model as a flat OIP tensor. */
    public static Output fromValue(String name, OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output '" + name + "' is not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        List<Long> shape = Arrays.stream(info.getShape()).boxed().toList();
        int n = (int) info.getNumElements();
        return switch (info.type) {
            case FLOAT -> new Output(name, "FP32", shape, toArray(tensor.getFloatBuffer()));
            case DOUBLE -> {
                double[] v = new double[n];
                tensor.getDoubleBuffer().get(v);
                yield new Output(name, "FP64", shape, v);
            }
            case FLOAT16 -> {
                ShortBuffer b = tensor.getShortBuffer();
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.float16ToFloat(b.get(i));
                }
                yield new Output(name, "FP16", shape, v);
            }
            case INT64 -> {
                long[] v = new long[n];
                tensor.getLongBuffer().get(v);
                yield new Output(name, "INT64", shape, v);
            }
            case INT32 -> {
                int[] v = new int[n];
                tensor.getIntBuffer().get(v);
                yield new Output(name, "INT32", shape, v);
            }
            case INT16 -> {
                short[] v = new short[n];
                tensor.getShortBuffer().get(v);
                yield new Output(name, "INT16", shape, v);
            }
            case INT8, UINT8, BOOL -> {
                ByteBuffer b = tensor.getByteBuffer();
                if (info.type == OnnxJavaType.BOOL) {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = b.get(i) != 0;
                    }
                    yield new Output(name, "BOOL", shape, v);
                }
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = info.type == OnnxJavaType.UINT8 ? Byte.toUnsignedInt(b.get(i)) : b.get(i);
                }
                yield new Output(name, info.type == OnnxJavaType.UINT8 ? "UINT8" : "INT8", shape, v);
            }
            case STRING -> {
                List<Object> flat = new ArrayList<>(n);
                flattenArray(tensor.getValue(), flat);
                yield new Output(name, "BYTES", shape, flat);
            }
            default -> throw new IllegalStateException("output '" + name + "' has type " + info.type
                    + ", which OIP cannot carry");
        };
    }

    /** Bytes of one element of an OIP datatype; 0 for BYTES, whose size only the data tells. */
    static int elementBytes(String datatype) {
        return switch (datatype) {
            case "FP64", "INT64" -> 8;
            case "FP32", "INT32" -> 4;
            case "FP16", "INT16" -> 2;
            case "INT8", "UINT8", "BOOL" -> 1;
            default -> 0;
        };
    }

    /** The bytes a declared tensor holds when every dimension is fixed and its elements have a fixed size. */
    public static java.util.OptionalLong declaredBytes(DeployedModel.Tensor spec) {
        int size = elementBytes(spec.datatype());
        if (spec.shape() == null || size == 0 || spec.shape().stream().anyMatch(d -> d == null || d < 0)) {
            return java.util.OptionalLong.empty();
        }
        long bytes = size;
        for (long d : spec.shape()) {
            bytes = saturatedMultiply(bytes, d);
        }
        return java.util.OptionalLong.of(bytes);
    }

    /**
     * The bytes an output holds, read from its shape before anything is copied (strings: their UTF-8 lengths, at
     * least 1 each; past 2<sup>24</sup> strings only that lower bound is given, without reading them);
     * {@link Long#MAX_VALUE} when it would overflow.
     */
    public static long outputBytes(String name, OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            return 0;
        }
        TensorInfo info = tensor.getInfo();
        long elements = 1;
        for (long d : info.getShape()) {
            elements = saturatedMultiply(elements, Math.max(0, d));
        }
        if (info.type == OnnxJavaType.STRING) {
            if (elements > 1 << 24) {
                return elements;
            }
            List<Object> flat = new ArrayList<>();
            flattenArray(tensor.getValue(), flat);
            long bytes = 0;
            for (Object o : flat) {
                bytes = saturatedAdd(bytes, o == null ? 1
                        : Math.max(1, ((String) o).getBytes(StandardCharsets.UTF_8).length));
            }
            return bytes;
        }
        return saturatedMultiply(elements, Math.max(1, info.type.size));
    }

    static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
    }

    public static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static float[] toArray(java.nio.FloatBuffer b) {
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    private static void flattenArray(Object value, List<Object> out) {
        if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                flattenArray(Array.get(value, i), out);
            }
        } else {
            out.add(value);
        }
    }
}
