package dev.meridian.models.registry.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.testing.OnnxModels;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxReaderTest {

    private static OnnxModelInfo read(byte[] bytes) throws Exception {
        return OnnxReader.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void readsIrVersionOpsetAndDeclaredInputsAndOutputs() throws Exception {
        var info = read(OnnxModels.addConstant(1f, 2f, 3f));
        assertThat(info.irVersion()).isEqualTo(8);
        assertThat(info.defaultOpset()).isEqualTo(13);
        assertThat(info.producer()).isEqualTo("meridian-tests");
        assertThat(info.inputs()).containsExactly(new TensorSpec("x", ElementType.FLOAT, List.of(-1L, 3L)));
        assertThat(info.outputs()).containsExactly(new TensorSpec("y", ElementType.FLOAT, List.of(-1L, 3L)));
        assertThat(info.inputs().getFirst().datatype()).isEqualTo("FP32");
        assertThat(info.externalTensors()).isEmpty();
    }

    @Test
    void initializersAreNotInputs() throws Exception {
        var info = read(OnnxModels.addConstant(1f));
        assertThat(info.inputs()).extracting(TensorSpec::name).containsExactly("x");
    }

    @Test
    void findsInitializersWithExternalData() throws Exception {
        var info = read(new OnnxModels.Builder().addExternalConstant(4).bytes());
        assertThat(info.externalTensors()).containsExactly("w");
    }

    @Test
    void readsTheOpsetTheModelImports() throws Exception {
        assertThat(read(new OnnxModels.Builder().opset(99).addConstant(1f).bytes()).defaultOpset()).isEqualTo(99);
    }

    @Test
    void refusesBytesThatAreNotAModel() {
        assertThatThrownBy(() -> read("this is not an onnx file at all, just text".getBytes()))
                .isInstanceOf(OnnxReader.NotOnnx.class);
        assertThatThrownBy(() -> read(new byte[] {0x08, (byte) 0x96})) // a truncated varint
                .isInstanceOf(OnnxReader.NotOnnx.class);
        assertThatThrownBy(() -> read(new byte[0])).isInstanceOf(OnnxReader.NotOnnx.class)
                .hasMessageContaining("ir_version");
    }
}
