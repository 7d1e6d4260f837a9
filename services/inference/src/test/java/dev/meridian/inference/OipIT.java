package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Open Inference Protocol v2 routes, as Triton and KServe clients call them. */
@QuarkusTest
class OipIT {

    @Test
    void healthAndModelMetadataFollowTheProtocol() {
        given().get("/v2/health/live").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(200);
        given().get("/v2/models/bge-small-en-v1.5").then().statusCode(200)
                .body("name", equalTo("bge-small-en-v1.5"))
                .body("inputs[0].datatype", equalTo("BYTES"))
                .body("outputs[0].shape", equalTo(List.of(-1, 384)));
        given().get("/v2/models/bge-small-en-v1.5/versions/1/ready").then().statusCode(200);
        given().get("/v2/models/nope/ready").then().statusCode(404).body("error", containsString("nope"));
    }

    @Test
    void inferReturnsOneVectorPerText() {
        given().contentType(ContentType.JSON).body(Map.of("id", "req-1", "inputs", List.of(Map.of(
                        "name", "text", "datatype", "BYTES", "shape", List.of(2), "data", List.of("one", "two")))))
                .post("/v2/models/all-minilm-l6-v2/infer").then().statusCode(200)
                .body("id", equalTo("req-1"))
                .body("outputs[0].name", equalTo("embedding"))
                .body("outputs[0].shape", equalTo(List.of(2, 384)))
                .body("outputs[0].data", hasSize(768))
                // [CLS] one [SEP] and [CLS] two [SEP]: 6 tokens read for 2 texts in one call
                .header("X-Meridian-Usage", equalTo("requests=1,input_tokens=6,embedded_items=2"))
                .header("X-Meridian-Model", equalTo("all-minilm-l6-v2"));
    }

    @Test
    void wrongDatatypeOrShapeIs400NamingTheInput() {
        given().contentType(ContentType.JSON).body(Map.of("inputs", List.of(Map.of(
                        "name", "text", "datatype", "FP32", "shape", List.of(1), "data", List.of(1.0)))))
                .post("/v2/models/all-minilm-l6-v2/infer").then().statusCode(400)
                .body("error", containsString("'text'")).body("error", containsString("BYTES"));
        given().contentType(ContentType.JSON).body(Map.of("inputs", List.of(Map.of(
                        "name", "text", "datatype", "BYTES", "shape", List.of(3), "data", List.of("a")))))
                .post("/v2/models/all-minilm-l6-v2/infer").then().statusCode(400)
                .body("error", containsString("shape"));
        given().contentType(ContentType.JSON).body(Map.of("inputs", List.of(Map.of(
                        "name", "pixels", "datatype", "BYTES", "shape", List.of(1), "data", List.of("a")))))
                .post("/v2/models/all-minilm-l6-v2/infer").then().statusCode(400)
                .body("error", containsString("pixels"));
    }
}
