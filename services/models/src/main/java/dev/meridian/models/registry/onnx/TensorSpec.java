package dev.meridian.models.registry.onnx;

import java.util.List;

/**
 * A graph input or output: its name, ONNX element type ({@link ElementType}), and shape, where a dynamic dimension
 * is -1 (its symbolic name, if any, is dropped). {@code shape == null} when the model declares no shape at all.
 */
public record TensorSpec(String name, int elementType, List<Long> shape) {

    /** The Open Inference Protocol datatype, e.g. {@code FP32}, or empty for a type OIP cannot carry. */
    public String datatype() {
        return ElementType.oipName(elementType);
    }
}
