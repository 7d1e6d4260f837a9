package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway of a sovereign region (cn-north, {@code meridian.gateway.sovereign=true}): it serves its own tenants,
 * forwards no other tenant's call out of the region and accepts no call forwarded in, each refusal a 421 naming the
 * gateway to call.
 */
@QuarkusTest
@TestProfile(SovereignGatewayIT.InCnNorth.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class SovereignGatewayIT {

    public static class InCnNorth implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.gateway.region", "cn-north", "meridian.gateway.sovereign", "true",
                    "meridian.gateway.gateway-id", "cn-north-sovereign-it");
        }
    }

    @Inject
    KeyDirectory keys;
    /**
     * The stand-in servers run on a Vert.x of their own: on the application's, Micrometer would measure them as the
     * gateway's own HTTP server and refuse their meters.
     */
    private static final Vertx vertx = Vertx.vertx();

    @AfterAll
    static void closeStandInVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** A stand-in for another region's gateway that counts what reaches it: nothing ever should. */
    private HttpServer elsewhere;
    private final AtomicInteger reached = new AtomicInteger();

    @BeforeEach
    void startElsewhere() throws Exception {
        elsewhere = vertx.createHttpServer().requestHandler(req -> {
            reached.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json").end("{\"object\":\"list\",\"data\":[]}");
        }).listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopElsewhere() throws Exception {
        elsewhere.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private String elsewhereUrl() {
        return "http://localhost:" + elsewhere.actualPort();
    }

    @Test
    void aTenantHomedHereIsServedHere() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedInSovereign("cn-north", "http://cn.example:8084"));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(200)
                .header("X-Meridian-Served-By", equalTo("cn-north"));
    }

    @Test
    void anotherRegionsTenantIsRefusedWith421NamingItsHomeGatewayAndNeverForwarded() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("eu-central", elsewhereUrl(), true));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(421)
                .body("error.code", equalTo("sovereign_region"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", allOf(containsString("cn-north"), containsString(elsewhereUrl())));
        assertThat(reached).as("nothing leaves the sovereign region").hasValue(0);
    }

    @Test
    void aCallForwardedInByAnotherRegionsGatewayIsRefusedWith421() {
        String gateway = TestStack.get().serviceToken("meridian-gateway");
        given().auth().oauth2(gateway)
                .header(MeridianHeaders.TENANT_ID, "6d0c4f5e-0000-4000-8000-000000000001")
                .header(MeridianHeaders.KEY_ID, "6d0c4f5e-0000-4000-8000-000000000002")
                .header(MeridianHeaders.SCOPES, "models")
                .header(MeridianHeaders.FORWARDED_BY, "eu-central")
                .get("/internal/forward/v1/models").then()
                .statusCode(421)
                .body("error.code", equalTo("sovereign_region"))
                .body("error.message", allOf(containsString("cn-north"), containsString("eu-central")));
    }
}
