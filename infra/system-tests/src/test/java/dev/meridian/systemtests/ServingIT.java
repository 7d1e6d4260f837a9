package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import dev.meridian.stack.OidcBrowser;
import dev.meridian.stack.Secrets;
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
        given().baseUri(SystemUnderTest.platform().inferenceUrl("eu-central")).contentType(ContentType.JSON)
                .body(Map.of("model", "any", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .post("/v1/chat/completions").then().statusCode(401);
    }

    /**
     * The inference service remembers a gateway token it has verified (docs/benchmarks.md: verifying it on every call
     * was its largest cost), by the token's exact text: the same token is served again, one changed byte is verified
     * in full and refused, and another service's token is still refused for its role on every call.
     */
    @Test
    void aRememberedServiceTokenIsMatchedByItsExactTextAndRoles() {
        var p = SystemUnderTest.platform();
        String gateway = OidcBrowser.clientCredentials(p.keycloakUrl(), "meridian-gateway",
                p.secrets().get(Secrets.GATEWAY_CLIENT_SECRET)).accessToken();
        String billing = OidcBrowser.clientCredentials(p.keycloakUrl(), "meridian-billing",
                p.secrets().get(Secrets.BILLING_CLIENT_SECRET)).accessToken();
        int signature = gateway.lastIndexOf('.') + 1;
        int payload = gateway.indexOf('.') + 1;
        String badSignature = gateway.substring(0, signature) + flip(gateway.charAt(signature))
                + gateway.substring(signature + 1);
        String badPayload = gateway.substring(0, payload + 5) + flip(gateway.charAt(payload + 5))
                + gateway.substring(payload + 6);

        for (int round = 0; round < 2; round++) {
            embedAs(gateway).statusCode(200);
            embedAs(badSignature).statusCode(401);
            embedAs(badPayload).statusCode(401);
            embedAs(billing).statusCode(403);
        }
    }

    private static io.restassured.response.ValidatableResponse embedAs(String token) {
        return given().baseUri(SystemUnderTest.platform().inferenceUrl("eu-central")).contentType(ContentType.JSON)
                .auth().oauth2(token).body(Map.of("model", "all-minilm-l6-v2", "input", "x"))
                .post("/v1/embeddings").then();
    }

    private static char flip(char c) {
        return c == 'A' ? 'B' : 'A';
    }
}
