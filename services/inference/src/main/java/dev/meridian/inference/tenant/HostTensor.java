package dev.meridian.inference.tenant;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * An input tensor decoded into Java memory: its OIP datatype, shape, and flat row-major values ({@code float[]} for
 * FP32, {@code short[]} of half-precision bits for FP16, {@code byte[]} for INT8, UINT8 and BOOL, {@code String[]} for
 * BYTES, the matching primitive array otherwise). Rows along the first dimension can be stacked from several tensors
 * of the same trailing shape, which is how requests are batched.
 */
public record HostTensor(String datatype, long[] shape, Object data) {

    /** One row of a tensor, by its index along the first dimension. */
    public record Row(HostTensor tensor, int index) {
    }

    public int rows() {
        return (int) shape[0];
    }

    /** The shape after the first dimension, as a comparable list. */
    public List<Long> trailingShape() {
        return Arrays.stream(shape, 1, shape.length).boxed().toList();
    }

    int rowLength() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return (int) n;
    }

    /** Stacks rows of tensors that share datatype and trailing shape into one tensor, in the given order. */
    public static HostTensor stack(List<Row> rows) {
        HostTensor first = rows.get(0).tensor();
        int width = first.rowLength();
        Object out = Array.newInstance(first.data().getClass().getComponentType(), rows.size() * width);
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            System.arraycopy(r.tensor().data(), r.index() * width, out, i * width, width);
        }
        long[] shape = first.shape().clone();
        shape[0] = rows.size();
        return new HostTensor(first.datatype(), shape, out);
    }

    public OnnxTensor toOnnx(OrtEnvironment env) throws OrtException {
        return switch (datatype) {
            case "FP32" -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) data), shape);
            case "FP64" -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) data), shape);
            case "FP16" -> {
                short[] v = (short[]) data;
                ShortBuffer b = ByteBuffer.allocateDirect(v.length * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
                b.put(v).rewind();
                yield OnnxTensor.createTensor(env, b, shape, OnnxJavaType.FLOAT16);
            }
            case "INT64" -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) data), shape);
            case "INT32" -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) data), shape);
            case "INT16" -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) data), shape);
            case "INT8", "UINT8", "BOOL" -> {
                byte[] v = (byte[]) data;
                ByteBuffer b = ByteBuffer.allocateDirect(v.length).order(ByteOrder.nativeOrder());
                b.put(v).rewind();
                OnnxJavaType type = switch (datatype) {
                    case "INT8" -> OnnxJavaType.INT8;
                    case "UINT8" -> OnnxJavaType.UINT8;
                    default -> OnnxJavaType.BOOL;
                };
                yield OnnxTensor.createTensor(env, b, shape, type);
            }
            case "BYTES" -> OnnxTensor.createTensor(env, (String[]) data, shape);
            default -> throw new IllegalArgumentException("datatype " + datatype + " is not served");
        };
    }
}
