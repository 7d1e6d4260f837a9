package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The {@code /v1/models} routes the gateway answers itself while no inference service is configured. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ModelRoutesIT {

    @Inject
    KeyDirectory keys;

    private RequestSpecification withKey() {
        return given().header("Authorization", "Bearer " + TestKeys.seed(keys, TestKeys.Spec.active()
                .withScopes("models")).key());
    }

    @Test
    void listsTheBaseModelsInOpenAisShape() {
        withKey().get("/v1/models").then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("all-minilm-l6-v2", "bge-small-en-v1.5-q", "bge-small-zh-v1.5-q"))
                .body("data.object", everyItem(equalTo("model")))
                .body("data.owned_by", everyItem(equalTo("meridian")));
    }

    @Test
    void findsOneModelById() {
        withKey().get("/v1/models/bge-small-en-v1.5").then()
                .statusCode(200)
                .body("id", equalTo("bge-small-en-v1.5"))
                .body("object", equalTo("model"));
    }

    @Test
    void unknownModelIs404NamingIt() {
        withKey().get("/v1/models/gpt-17").then()
                .statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("gpt-17"));
    }

    @Test
    void unknownV1RouteIs404NamingThePath() {
        withKey().post("/v1/no-such-thing").then()
                .statusCode(404)
                .body("error.code", equalTo("unknown_url"))
                .body("error.message", containsString("POST /v1/no-such-thing"));
    }
}
