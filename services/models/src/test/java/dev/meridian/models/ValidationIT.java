package dev.meridian.models;


import dev.meridian.testing.OnnxModels;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Each refused upload names the check it failed and leaves nothing behind: no model, no version, no blob. */
@QuarkusTest
class ValidationIT {

    private void refused(byte[] model, int status, String check, String mentions) throws Exception {
        Registry.assertRefusedLeavingNothing(model, status, check, mentions);
    }

    @Test
    void corruptFileIsRefusedByTheParseCheck() throws Exception {
        refused("definitely not protobuf \u0000\u00ff\u00fe".getBytes(), 400, "onnx_parse", "not a parseable ONNX");
    }

    @Test
    void oversizedFileIsRefusedByTheSizeCheck() throws Exception {
        refused(new byte[262145], 413, "size", "262144");
    }

    @Test
    void externalDataIsRefused() throws Exception {
        refused(new OnnxModels.Builder().addExternalConstant(3).bytes(), 400, "external_data", "'w'");
    }

    @Test
    void anOpsetOutsideTheSupportedRangeIsRefused() throws Exception {
        refused(new OnnxModels.Builder().opset(99).addConstant(1f).bytes(), 400, "opset", "opset 99");
        refused(new OnnxModels.Builder().opset(3).addConstant(1f).bytes(), 400, "opset", "opset 3");
    }

    @Test
    void aModelThatCannotRunFailsTheTrialRun() throws Exception {
        refused(new OnnxModels.Builder().unknownOperator(2).bytes(), 400, "trial_run", "NoSuchOperatorAnywhere");
    }

    @Test
    void anInputTypeServingCannotFeedIsRefused() throws Exception {
        refused(OnnxModels.identity(OnnxModels.UINT16, 2), 400, "inputs_outputs", "UINT16");
    }
}
