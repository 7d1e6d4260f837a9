package dev.meridian.inference.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meridian.inference.rest.OipException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The OIP tensor decoder under Jazzer: whatever a caller sends as an input tensor (any datatype name, any shape
 * numbers, data nested and typed at will) against whatever a model declares, the decoder answers a tensor that
 * matches its own shape or refuses with its 400 ({@link OipException}); nothing else may escape, since anything
 * else is a 500. Seeds (and found crashes, kept as regression inputs) are in
 * {@code src/test/resources/dev/meridian/inference/tenant/TensorCodecFuzzTestInputs/}.
 */
class TensorCodecFuzzTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] DATATYPES = {"FP32", "FP64", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT8",
            "BOOL", "BYTES", "UINT64", "", "fp32"};

    @FuzzTest(maxDuration = "10s")
    void decodeAnswersATensorOrItsOwn400(FuzzedDataProvider in) throws Exception {
        DeployedModel.Tensor spec = declared(in);
        ObjectNode input = NODES.objectNode();
        input.put("name", spec.name());
        input.put("datatype", in.consumeBoolean() ? spec.datatype() : in.pickValue(DATATYPES));
        if (in.consumeBoolean()) {
            ArrayNode shape = input.putArray("shape");
            int rank = in.consumeInt(0, 4);
            for (int i = 0; i < rank; i++) {
                shape.add(dimension(in));
            }
        }
        input.set("data", data(in, 0));

        HostTensor decoded;
        try {
            decoded = TensorCodec.decode(spec, input);
        } catch (OipException refused) {
            assertThat(refused.getMessage()).contains("'" + spec.name() + "'");
            return;
        }
        assertThat(Arrays.stream(decoded.shape()).allMatch(d -> d >= 0 && d <= Integer.MAX_VALUE)).isTrue();
        long count = Arrays.stream(decoded.shape()).anyMatch(d -> d == 0) ? 0
                : Arrays.stream(decoded.shape()).reduce(1, Math::multiplyExact);
        assertThat((long) Array.getLength(decoded.data())).isEqualTo(count);
        assertThat(decoded.datatype()).isEqualTo(spec.datatype());
        if (count <= 4096) {
            try (OnnxTensor t = decoded.toOnnx(ENV)) {
                assertThat(t.getInfo().getShape()).containsExactly(decoded.shape());
            }
        }
    }

    /** A model's declared input: a served datatype and a shape of fixed, dynamic or no dimensions. */
    private static DeployedModel.Tensor declared(FuzzedDataProvider in) {
        String datatype = in.pickValue(Arrays.copyOf(DATATYPES, 10));
        List<Long> shape = null;
        if (in.consumeBoolean()) {
            shape = new ArrayList<>();
            int rank = in.consumeInt(0, 3);
            for (int i = 0; i < rank; i++) {
                shape.add(in.consumeBoolean() ? -1L : in.consumeLong(0, 4));
            }
        }
        return new DeployedModel.Tensor("x", datatype, shape);
    }

    private static JsonNode dimension(FuzzedDataProvider in) {
        return switch (in.consumeInt(0, 5)) {
            case 0 -> NODES.numberNode(in.consumeLong());
            case 1 -> NODES.numberNode(in.consumeDouble());
            case 2 -> NODES.textNode(in.consumeString(4));
            case 3 -> NODES.numberNode(BigInteger.valueOf(in.consumeLong()).shiftLeft(64));
            default -> NODES.numberNode(in.consumeInt(0, 5));
        };
    }

    private static JsonNode data(FuzzedDataProvider in, int depth) {
        int kind = in.consumeInt(0, 9);
        if (depth < 6 && kind <= 2) {
            ArrayNode a = NODES.arrayNode();
            int n = in.consumeInt(0, 8);
            for (int i = 0; i < n; i++) {
                a.add(data(in, depth + 1));
            }
            return a;
        }
        return switch (kind) {
            case 3 -> NODES.numberNode(in.consumeLong());
            case 4 -> NODES.numberNode(in.consumeDouble());
            case 5 -> NODES.numberNode(in.consumeInt(-300, 300));
            case 6 -> NODES.booleanNode(in.consumeBoolean());
            case 7 -> NODES.textNode(in.consumeString(8));
            case 8 -> NODES.nullNode();
            default -> NODES.numberNode(new BigInteger(1, in.consumeBytes(12)));
        };
    }
}
