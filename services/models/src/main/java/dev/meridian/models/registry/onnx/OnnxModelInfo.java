package dev.meridian.models.registry.onnx;

import java.util.List;
import java.util.Map;

/**
 * What the registry needs to know of an ONNX file: its IR version, the opsets it imports (domain → version; the
 * default domain is {@code ""}), the graph's real inputs (graph inputs that are not initializers) and outputs, and
 * the names of tensors whose data lives outside the file.
 */
public record OnnxModelInfo(long irVersion, String producer, Map<String, Long> opsets, List<TensorSpec> inputs,
        List<TensorSpec> outputs, List<String> externalTensors) {

    /** The default-domain opset, or 0 when the model does not import it. */
    public long defaultOpset() {
        return opsets.getOrDefault("", opsets.getOrDefault("ai.onnx", 0L));
    }
}
