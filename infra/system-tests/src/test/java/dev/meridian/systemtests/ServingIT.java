package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenants' programs call the base models through either gateway; the home region's inference service answers. */
class ServingIT {

    @Test
    void demoKeyEmbedsTextOnBothModelFamiliesThroughEitherGateway() {
        String key = SystemUnderTest.platform().demoApiKey();
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            for (String model : List.of("all-minilm-l6-v2", "bge-small-en-v1.5")) {
                given().baseUri(gateway).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                        .body(Map.of("model", model, "input", List.of("hello world", "good morning")))
                        .post("/v1/embeddings").then().statusCode(200)
                        .header("X-Meridian-Served-By", equalTo("eu-central"))
                        .body("data", hasSize(2))
                        .body("data[0].embedding", hasSize(384))
                        .body("usage.prompt_tokens", equalTo(8));
            }
        }
    }

    @Test
    void modelListCarriesTheBaseCatalogAndOipInferWorks() {
        String key = SystemUnderTest.platform().demoApiKey();
        given().baseUri(SystemUnderTest.eu()).header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", hasItems("all-minilm-l6-v2", "bge-small-zh-v1.5-q"))
                .body("data.find { it.id == 'bge-small-zh-v1.5-q' }.dimensions", equalTo(512));
        given().baseUri(SystemUnderTest.us()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "text", "datatype", "BYTES", "shape", List.of(1),
                        "data", List.of("你好")))))
                .post("/v2/models/bge-small-zh-v1.5-q/infer").then().statusCode(200)
                .body("outputs[0].shape", equalTo(List.of(1, 512)));
    }

    @Test
    void keyWithoutTheInferenceScopeCannotEmbed() {
        var user = ConsoleUser.signUp();
        String tenant = user.createTenant("ReadOnly", "us-east");
        String key = user.createKeySecret(tenant, List.of("models"));
        given().baseUri(SystemUnderTest.us()).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", "x"))
                .post("/v1/embeddings").then().statusCode(403).body("error.code", equalTo("insufficient_scope"));
    }

    @Test
    void inferenceServiceRefusesCallsThatDidNotComeThroughAGateway() {
        given().baseUri(SystemUnderTest.platform().inferenceUrl("eu-central")).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", "x"))
                .post("/v1/embeddings").then().statusCode(401);
    }
}
