package dev.meridian.models.registry.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;

/**
 * The registry's ONNX reader under Jazzer: whatever bytes a tenant uploads as a model, the reader answers what the
 * model declares or refuses it as {@link OnnxReader.NotOnnx} (the registry's 400); nothing else may escape, since
 * anything else is a 500. Seeds (valid models from {@code OnnxModels}, and found crashes, kept as regression inputs)
 * are in {@code src/test/resources/dev/meridian/models/registry/onnx/OnnxReaderFuzzTestInputs/}.
 */
class OnnxReaderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytesAreAModelOrNotOnnx(byte[] data) throws Exception {
        OnnxModelInfo info;
        try {
            info = OnnxReader.read(new ByteArrayInputStream(data));
        } catch (OnnxReader.NotOnnx refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(info.irVersion()).isPositive();
        assertThat(info.inputs()).doesNotContainNull();
        assertThat(info.outputs()).doesNotContainNull();
        assertThat(info.externalTensors()).doesNotContainNull();
    }
}
