package dev.meridian.models.registry.onnx;

import java.util.Map;

/** ONNX {@code TensorProto.DataType} numbers and their Open Inference Protocol names. */
public final class ElementType {

    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int UINT16 = 4;
    public static final int INT16 = 5;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int STRING = 8;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;
    public static final int UINT32 = 12;
    public static final int UINT64 = 13;

    /** The types Meridian can feed to and read from ONNX Runtime's Java API. */
    private static final Map<Integer, String> SERVABLE = Map.of(FLOAT, "FP32", UINT8, "UINT8", INT8, "INT8",
            INT16, "INT16", INT32, "INT32", INT64, "INT64", STRING, "BYTES", BOOL, "BOOL", FLOAT16, "FP16",
            DOUBLE, "FP64");

    private ElementType() {
    }

    public static String oipName(int type) {
        return SERVABLE.getOrDefault(type, "");
    }

    public static boolean servable(int type) {
        return SERVABLE.containsKey(type);
    }

    /** A readable name for messages, e.g. {@code UINT16 (4)}. */
    public static String describe(int type) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING",
                "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
        return (type >= 0 && type < names.length ? names[type] : "type") + " (" + type + ")";
    }
}
