package dev.meridian.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.console.api.OpenAiApi.Tensor;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the pages make of what a user typed and of what the API answered. */
class FormValuesTest {

    @Test
    void aHyperparameterIsAutoWhenEmptyOrAutoAndOtherwiseTheNumberTyped() {
        assertThat(Hyperparameters.value("")).isEqualTo("auto");
        assertThat(Hyperparameters.value(" AUTO ")).isEqualTo("auto");
        assertThat(Hyperparameters.value("12")).isEqualTo(12L);
        assertThat(Hyperparameters.value("0.5")).isEqualTo(0.5);
        assertThat(Hyperparameters.value("lots")).as("the API names what is wrong").isEqualTo("lots");
    }

    @Test
    void theTryItRequestHasOneRowOfEachDeclaredInput() throws Exception {
        String sample = OipSample.forInputs(List.of(new Tensor("x", "FP32", List.of(-1L, 3L)),
                new Tensor("text", "BYTES", List.of(-1L))));
        var doc = new ObjectMapper().readTree(sample);
        assertThat(doc.at("/inputs/0/shape").toString()).isEqualTo("[1,3]");
        assertThat(doc.at("/inputs/0/data").toString()).isEqualTo("[1,2,3]");
        assertThat(doc.at("/inputs/1/data").toString()).isEqualTo("[\"text\"]");
    }

    @Test
    void aRefusalIsReadInEachShapeTheApisAnswer() {
        assertThat(ApiProblem.detail(refusal(400, "{\"error\":{\"message\":\"The file is not a parseable ONNX model\","
                + "\"type\":\"invalid_request_error\",\"param\":\"file\",\"code\":\"onnx_parse\"}}")))
                .isEqualTo("The file is not a parseable ONNX model (onnx_parse)");
        assertThat(ApiProblem.detail(refusal(400, "{\"detail\":\"`name` is required\",\"status\":400}")))
                .isEqualTo("`name` is required");
        assertThat(ApiProblem.detail(refusal(400, "{\"error\":\"unknown input 'z'\"}"))).isEqualTo("unknown input 'z'");
        assertThat(ApiProblem.detail(refusal(502, "<html>"))).isEqualTo("The request was refused (502).");
    }

    @Test
    void aDatasetRefusalIsListedLineByLine() {
        String refusal = "The file 'broken.jsonl' is not JSONL: 2 lines are not one JSON object (line 2: Unrecognized"
                + " token 'not' (code 110); line 3: Unexpected end-of-input). Write one JSON object per line,"
                + " {\"text\": \"...\", \"label\": \"...\"}, with no empty lines. (invalid_file_format)";
        assertThat(DatasetProblems.of(refusal)).containsExactly("line 2: Unrecognized token 'not' (code 110)",
                "line 3: Unexpected end-of-input");
        assertThat(DatasetProblems.of("The file is empty (invalid_file_format)")).isEmpty();
    }

    private static WebApplicationException refusal(int status, String body) {
        return new WebApplicationException(Response.status(status).entity(body).build());
    }
}
