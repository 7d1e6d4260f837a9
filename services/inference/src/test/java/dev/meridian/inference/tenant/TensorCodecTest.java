package dev.meridian.inference.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.inference.rest.OipException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OIP JSON tensors into ONNX Runtime tensors and back, for every served datatype, and the refusals. */
class TensorCodecTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static TensorCodec.Output roundTrip(String datatype, String data) throws Exception {
        var spec = new DeployedModel.Tensor("x", datatype, List.of(-1L, 2L));
        try (OnnxTensor t = TensorCodec.toTensor(ENV, spec, json("{\"name\":\"x\",\"datatype\":\"" + datatype
                + "\",\"shape\":[1,2],\"data\":" + data + "}"))) {
            return TensorCodec.fromValue("y", t);
        }
    }

    @Test
    void everyServedDatatypeComesBackAsItWent() throws Exception {
        assertThat((float[]) roundTrip("FP32", "[1.5,-2]").data()).containsExactly(1.5f, -2f);
        assertThat((double[]) roundTrip("FP64", "[1e300,-2]").data()).containsExactly(1e300, -2);
        assertThat((float[]) roundTrip("FP16", "[0.5,-2]").data()).containsExactly(0.5f, -2f);
        assertThat((long[]) roundTrip("INT64", "[9007199254740993,-1]").data()).containsExactly(9007199254740993L, -1);
        assertThat((int[]) roundTrip("INT32", "[2147483647,-1]").data()).containsExactly(2147483647, -1);
        assertThat((short[]) roundTrip("INT16", "[32767,-1]").data()).containsExactly((short) 32767, (short) -1);
        assertThat((int[]) roundTrip("INT8", "[127,-128]").data()).containsExactly(127, -128);
        assertThat((int[]) roundTrip("UINT8", "[255,0]").data()).containsExactly(255, 0);
        assertThat((boolean[]) roundTrip("BOOL", "[true,false]").data()).containsExactly(true, false);
        assertThat(roundTrip("BYTES", "[\"a\",\"ü\"]").data()).isEqualTo(List.of("a", "ü"));
        var nested = roundTrip("FP32", "[[3,4]]");
        assertThat(nested.shape()).containsExactly(1L, 2L);
        assertThat((float[]) nested.data()).containsExactly(3f, 4f);
    }

    @Test
    void mismatchesAreRefusedNamingTheInput() {
        assertThatThrownBy(() -> roundTrip("FP32", "[1,2,3]")).isInstanceOf(OipException.class)
                .hasMessageContaining("'x'").hasMessageContaining("3");
        assertThatThrownBy(() -> roundTrip("UINT8", "[256,0]")).hasMessageContaining("'x'")
                .hasMessageContaining("256");
        assertThatThrownBy(() -> roundTrip("BOOL", "[1,0]")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> roundTrip("INT32", "[1.5,0]")).hasMessageContaining("'x'");
        var spec = new DeployedModel.Tensor("x", "FP32", List.of(-1L, 2L));
        assertThatThrownBy(() -> TensorCodec.toTensor(ENV, spec, json("{\"name\":\"x\",\"datatype\":\"FP64\","
                + "\"shape\":[1,2],\"data\":[1,2]}"))).hasMessageContaining("'x'").hasMessageContaining("FP32");
        assertThatThrownBy(() -> TensorCodec.toTensor(ENV, spec, json("{\"name\":\"x\",\"datatype\":\"FP32\","
                + "\"shape\":[2],\"data\":[1,2]}"))).hasMessageContaining("[-1, 2]");
    }

    @Test
    void rowsOfSeveralRequestsStackIntoOneTensorAndSplitBackOut() throws Exception {
        var spec = new DeployedModel.Tensor("x", "INT64", List.of(-1L, 2L));
        HostTensor a = TensorCodec.decode(spec, json("{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[2,2],"
                + "\"data\":[[1,2],[3,4]]}"));
        HostTensor b = TensorCodec.decode(spec, json("{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1,2],"
                + "\"data\":[5,6]}"));
        HostTensor stacked = HostTensor.stack(List.of(new HostTensor.Row(a, 0), new HostTensor.Row(a, 1),
                new HostTensor.Row(b, 0)));
        assertThat(stacked.shape()).containsExactly(3, 2);
        assertThat((long[]) stacked.data()).containsExactly(1, 2, 3, 4, 5, 6);

        TensorCodec.Output out;
        try (OnnxTensor t = stacked.toOnnx(ENV)) {
            out = TensorCodec.fromValue("y", t);
        }
        var mine = TensorCodec.Output.stack(List.of(new TensorCodec.Output.Row(out, 2)));
        assertThat(mine.shape()).containsExactly(1L, 2L);
        assertThat((long[]) mine.data()).containsExactly(5, 6);
        var strings = new TensorCodec.Output("s", "BYTES", List.of(3L), List.of("a", "b", "c"));
        assertThat(TensorCodec.Output.stack(List.of(new TensorCodec.Output.Row(strings, 0),
                new TensorCodec.Output.Row(strings, 1))).data()).isEqualTo(List.of("a", "b"));
    }

    /** Found by {@link TensorCodecFuzzTest} (crash-shape-product-overflows-long): it was a 500 from multiplyExact. */
    @Test
    void aShapeWhoseProductOverflowsIsA400NotA500() throws Exception {
        var spec = new DeployedModel.Tensor("x", "FP32", null);
        assertThatThrownBy(() -> TensorCodec.decode(spec, json("{\"name\":\"x\",\"datatype\":\"FP32\","
                + "\"shape\":[2147483647,2147483647,2147483647],\"data\":[]}")))
                .isInstanceOf(OipException.class).hasMessageContaining("'x'").hasMessageContaining("elements");
    }

    /**
     * Found by {@link TensorCodecFuzzTest} in CI's fuzzing run (crash-empty-tensor-with-huge-dimensions): an empty
     * tensor whose other dimensions multiply past a long reached ONNX Runtime, which failed with an overflow (a 500).
     */
    @Test
    void anEmptyTensorWhoseOtherDimensionsOverflowIsA400() {
        var spec = new DeployedModel.Tensor("x", "FP32", null);
        assertThatThrownBy(() -> TensorCodec.decode(spec, json("{\"name\":\"x\",\"datatype\":\"FP32\","
                + "\"shape\":[2147483647,2147483647,2147483647,0],\"data\":[]}")))
                .isInstanceOf(OipException.class).hasMessageContaining("'x'")
                .hasMessageContaining("other dimensions multiply");
    }

    /** Found by {@link TensorCodecFuzzTest} (crash-dimension-past-int): a dimension past an int held 0 elements. */
    @Test
    void aDimensionPastAnIntOrNotAWholeNumberIsRefused() {
        var spec = new DeployedModel.Tensor("x", "FP32", null);
        for (String shape : List.of("[4294967296,0]", "[1.5]", "[-1]")) {
            assertThatThrownBy(() -> TensorCodec.decode(spec, json("{\"name\":\"x\",\"datatype\":\"FP32\","
                    + "\"shape\":" + shape + ",\"data\":[]}")))
                    .as(shape).isInstanceOf(OipException.class).hasMessageContaining("invalid shape");
        }
    }

    @Test
    void declaredAndAnsweredOutputBytesSaturateInsteadOfOverflowing() throws Exception {
        assertThat(TensorCodec.declaredBytes(new DeployedModel.Tensor("y", "FP32", List.of(2L, 3L)))).hasValue(24);
        assertThat(TensorCodec.declaredBytes(new DeployedModel.Tensor("y", "FP32", List.of(-1L, 3L)))).isEmpty();
        assertThat(TensorCodec.declaredBytes(new DeployedModel.Tensor("y", "BYTES", List.of(2L)))).isEmpty();
        assertThat(TensorCodec.declaredBytes(new DeployedModel.Tensor("y", "INT64",
                List.of(1L << 40, 1L << 40)))).hasValue(Long.MAX_VALUE);
        try (OnnxTensor t = TensorCodec.toTensor(ENV, new DeployedModel.Tensor("x", "INT64", List.of(-1L, 2L)),
                json("{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[3,2],\"data\":[1,2,3,4,5,6]}"))) {
            assertThat(TensorCodec.outputBytes("y", t)).isEqualTo(48);
        }
        try (OnnxTensor t = TensorCodec.toTensor(ENV, new DeployedModel.Tensor("x", "BYTES", List.of(-1L)),
                json("{\"name\":\"x\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"héllo\",\"\"]}"))) {
            assertThat(TensorCodec.outputBytes("y", t)).isEqualTo(7); // 6 bytes of UTF-8, and 1 for the empty string
        }
    }
}
