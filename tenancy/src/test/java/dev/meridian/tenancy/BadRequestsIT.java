package dev.meridian.tenancy;

import static dev.meridian.tenancy.Api.as;
import static dev.meridian.tenancy.Api.count;
import static dev.meridian.tenancy.Api.createTenant;
import static dev.meridian.tenancy.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Requests the API refuses: each gets a 400/401 {@code application/problem+json} that says what to fix, and leaves
 * nothing behind (no row, no audit event, no outbox message).
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BadRequestsIT {

    /** Rows of every table a refused request could have touched. */
    private static List<Long> everything() {
        return List.of(count("select count(*) from tenants"), count("select count(*) from members"),
                count("select count(*) from api_keys"), count("select count(*) from audit_events"),
                count("select count(*) from outbox"));
    }

    @Test
    void malformedJsonIs400SayingWhereItBroke() {
        var user = newUser();
        var before = everything();

        as(user.accessToken()).body("{\"name\": \"x\",\n \"home_region\": ").post("/api/v1/tenants").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Malformed JSON"))
                .body("detail", containsString("line 2, column"))
                .body("instance", equalTo("/api/v1/tenants"));

        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void anUnknownFieldIs400NamingItAndTheAllowedOnes() {
        var user = newUser();
        var before = everything();

        as(user.accessToken()).body("{\"name\": \"x\", \"home_region\": \"eu-central\", \"colour\": \"red\"}")
                .post("/api/v1/tenants").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("`colour`"))
                .body("detail", containsString("home_region, name, plan"))
                .body("errors[0].field", equalTo("colour"));

        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void missingRequiredFieldsAre400WithOneErrorPerField() {
        var user = newUser();
        var before = everything();

        as(user.accessToken()).body("{\"plan\": \"free\"}").post("/api/v1/tenants").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("home_region", "name")))
                .body("detail", containsString("`name` must not be blank"));

        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void aMissingBodyIs400AskingForOne() {
        var user = newUser();

        as(user.accessToken()).post("/api/v1/tenants").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("body"));
    }

    @Test
    void aValueOfTheWrongTypeIs400NamingTheFieldAndTheTypeExpected() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Types");
        var before = everything();

        as(user.accessToken()).body("{\"name\": \"k\", \"scopes\": \"models\"}")
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("scopes"))
                .body("detail", containsString("a JSON array"));

        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void anUnknownRegionIs400ListingTheValidOnes() {
        var user = newUser();
        var before = everything();

        as(user.accessToken()).body(Map.of("name", "x", "home_region", "moon")).post("/api/v1/tenants").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("home_region"))
                .body("detail", containsString("'moon'"))
                .body("detail", containsString("cn-north, eu-central, us-east"));

        assertThat(everything()).isEqualTo(before);
        as(user.accessToken()).get("/api/v1/tenants").then().body("data.size()", equalTo(0));
    }

    @Test
    void aBadScopeCreatesNoKeyNoAuditEventAndNoOutboxMessage() {
        var user = newUser();
        String tenant = createTenant(user.accessToken(), "Scoped");
        var before = everything();

        as(user.accessToken()).body(Map.of("name", "x", "scopes", List.of("inference", "everything")))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("'everything'"));

        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void withoutATokenTheApiAnswers401ProblemJson() {
        given().contentType(ContentType.JSON).body(Map.of("name", "x", "home_region", "eu-central"))
                .post("/api/v1/tenants").then().statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString("Bearer"));
        given().get("/api/v1/tenants").then().statusCode(401);
    }

    @Test
    void aForgedTokenIs401() {
        String forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJldmUiLCJhdWQiOiJtZXJpZGlhbi1hcGkifQ.c2lnbmF0dXJl";

        as(forged).get("/api/v1/tenants").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void anUnknownPathIs404ProblemJsonWithoutInternals() {
        var user = newUser();

        as(user.accessToken()).get("/api/v1/tenants/not-a-uuid").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", not(containsString("Exception")));
    }

    @Test
    void regionsHealthAndOpenApiArePublic() {
        given().get("/api/v1/regions").then().statusCode(200)
                .body("data.id", equalTo(List.of("cn-north", "eu-central", "us-east")))
                .body("data.find { it.id == 'eu-central' }.currency", equalTo("EUR"))
                .body("data.find { it.id == 'us-east' }.gateway_url", equalTo("http://localhost:8082"))
                .body("data.find { it.id == 'cn-north' }.residency", equalTo("PIPL"))
                .body("data.find { it.id == 'cn-north' }.sovereign", equalTo(true))
                .body("data.find { it.id == 'eu-central' }.sovereign", equalTo(false))
                .body("data.find { it.id == 'us-east' }.sovereign", equalTo(false));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/tenants/{tenantId}/api-keys/{keyId}/rotate'.post", not(equalTo(null)))
                .body("paths.'/internal/v1/api-keys/{prefix}'.get", not(equalTo(null)));
    }
}
