package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A signed-in person calls {@code /v1} with their own Keycloak token and the tenant in {@code OpenAI-Organization}, as
 * the console does for its user: at either gateway, served in the tenant's home region, with what their role may put
 * on a key; a stranger and a viewer are refused, and a removed member at once.
 */
class MemberTokenCallsIT {

    @Test
    void anOwnerEmbedsWithTheirTokenAtEitherGatewayAndTheHomeRegionServes() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Signed in", "us-east");
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            as(owner, tenant, gateway).body(Map.of("model", "all-minilm-l6-v2", "input", "hello"))
                    .post("/v1/embeddings").then().statusCode(200)
                    .header("X-Meridian-Served-By", equalTo("us-east"))
                    .body("data", hasSize(1));
        }
        as(owner, tenant, SystemUnderTest.eu()).get("/v1/models").then().statusCode(200)
                .body("data.id", hasItem("all-minilm-l6-v2"));
        as(owner, tenant, SystemUnderTest.us()).get("/v1/fine_tuning/jobs").then().statusCode(200)
                .body("data", hasSize(0));
    }

    @Test
    void aStrangerAViewerAndARemovedMemberAreRefused() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Members only", "eu-central");
        as(ConsoleUser.signUp(), tenant, SystemUnderTest.eu()).get("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("not_a_member"));

        var viewer = ConsoleUser.signUp();
        var developer = ConsoleUser.signUp();
        String viewerId = join(owner, tenant, viewer, "viewer");
        String developerId = join(owner, tenant, developer, "developer");
        as(viewer, tenant, SystemUnderTest.eu()).get("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"));
        as(developer, tenant, SystemUnderTest.eu()).get("/v1/models").then().statusCode(200);

        owner.api().delete("/api/v1/tenants/{t}/members/{m}", tenant, developerId).then().statusCode(204);
        org.awaitility.Awaitility.await("the removal reaches the gateway").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> as(developer, tenant, SystemUnderTest.eu()).get("/v1/models").statusCode() == 403);
        owner.api().delete("/api/v1/tenants/{t}/members/{m}", tenant, viewerId).then().statusCode(204);
    }

    private static String join(ConsoleUser owner, String tenant, ConsoleUser who, String role) {
        String member = owner.api().body(Map.of("email", who.email(), "role", role))
                .post("/api/v1/tenants/{t}/members", tenant).then().statusCode(201).extract().path("id");
        who.api().post("/api/v1/invitations/{m}/accept", member).then().statusCode(200);
        return member;
    }

    private static RequestSpecification as(ConsoleUser user, String tenant, String gateway) {
        return given().baseUri(gateway).auth().oauth2(user.accessToken()).header("OpenAI-Organization", tenant)
                .contentType(ContentType.JSON);
    }
}
