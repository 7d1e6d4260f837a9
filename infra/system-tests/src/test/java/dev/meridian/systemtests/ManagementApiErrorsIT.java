package dev.meridian.systemtests;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

/** Bad input to the management API (through the gateway) gets a clear RFC 9457 problem and changes nothing. */
class ManagementApiErrorsIT {

    @Test
    void malformedJsonSaysWhereItBrokeAndCreatesNothing() {
        var user = ConsoleUser.signUp();
        user.api().body("{\"name\": \"Broken\", \"home_region\": ").post("/api/v1/tenants").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("line"));
        user.api().get("/api/v1/tenants").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void unknownFieldIsNamedAndCreatesNothing() {
        var user = ConsoleUser.signUp();
        user.api().body("{\"name\": \"Typo\", \"home_region\": \"eu-central\", \"home_regoin\": \"x\"}")
                .post("/api/v1/tenants").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("home_regoin"));
        user.api().get("/api/v1/tenants").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void unknownRegionListsTheValidOnes() {
        var user = ConsoleUser.signUp();
        user.api().body("{\"name\": \"Nowhere\", \"home_region\": \"mars-north\"}").post("/api/v1/tenants").then()
                .statusCode(400)
                .body(containsString("eu-central"));
    }

    @Test
    void unknownPlanListsTheValidOnesAndCreatesNothing() {
        var user = ConsoleUser.signUp();
        user.api().body("{\"name\": \"Gold\", \"home_region\": \"eu-central\", \"plan\": \"platinum\"}")
                .post("/api/v1/tenants").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("enterprise, free, payg, subscription"));
        user.api().get("/api/v1/tenants").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void managementApiWithoutTokenIs401() {
        RestAssured.given().baseUri(SystemUnderTest.eu()).get("/api/v1/tenants").then().statusCode(401);
    }
}
