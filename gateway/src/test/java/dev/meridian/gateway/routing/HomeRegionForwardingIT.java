package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keys homed in another region: forwarded to the home gateway with the gateway's service token and the caller's
 * identity, refused where the tenant forbids transit, and never forwarded in a loop.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class HomeRegionForwardingIT {

    /** What the stand-in home gateway received. */
    record Received(String method, String uri, MultiMap headers, String body) {
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
    @TestHTTPResource("/")
    URL self;

    private HttpServer home;

    @AfterEach
    void stopHome() throws Exception {
        if (home != null) {
            home.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** A stand-in for the us-east gateway that records the forwarded call and answers as the home region would. */
    private CompletableFuture<Received> startHome() throws Exception {
        var received = new CompletableFuture<Received>();
        home = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            received.complete(new Received(req.method().name(), req.uri(),
                    MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
            req.response().putHeader("X-Meridian-Served-By", "us-east").putHeader("Content-Type", "application/json")
                    .end("{\"object\":\"list\",\"data\":[]}");
        })).listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return received;
    }

    private String homeUrl() {
        return "http://localhost:" + home.actualPort();
    }

    @Test
    void callForATenantHomedElsewhereIsAnsweredByItsHomeGateway() throws Exception {
        startHome();
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", homeUrl(), true));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(200)
                .header("X-Meridian-Served-By", equalTo("us-east"))
                .body("object", equalTo("list"));
    }

    @Test
    void forwardedCallCarriesTheCallersIdentityAndNeverTheKey() throws Exception {
        var received = startHome();
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", homeUrl(), true));
        given().header("Authorization", "Bearer " + key.key())
                .header("X-Request-Id", "trace-42")
                .header("X-Meridian-Tenant-Id", "forged-tenant")
                .contentType("application/json")
                .body("{\"input\":\"hello\",\"model\":\"all-minilm-l6-v2\"}")
                .post("/v1/embeddings?user=u1").then()
                .statusCode(200);

        Received call = received.get(5, TimeUnit.SECONDS);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.uri()).isEqualTo("/internal/forward/v1/embeddings?user=u1");
        assertThat(call.body()).isEqualTo("{\"input\":\"hello\",\"model\":\"all-minilm-l6-v2\"}");
        assertThat(call.headers().get("Authorization")).startsWith("Bearer ").doesNotContain(key.key())
                .matches("Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+"); // the gateway's Keycloak token, a JWT
        assertThat(call.headers().getAll(MeridianHeaders.TENANT_ID))
                .containsExactly(key.record().tenantId().toString());
        assertThat(call.headers().get(MeridianHeaders.KEY_ID)).isEqualTo(key.record().keyId().toString());
        assertThat(call.headers().get(MeridianHeaders.SCOPES)).isEqualTo("models,inference");
        assertThat(call.headers().get(MeridianHeaders.REGION)).isEqualTo("eu-central");
        assertThat(call.headers().get(MeridianHeaders.FORWARDED_BY)).isEqualTo("eu-central");
        assertThat(call.headers().get(MeridianHeaders.REQUEST_ID)).isEqualTo("trace-42");
        assertThat(call.headers().get("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void aPathWithDotSegmentsOrEncodedSlashesIsRefusedAndNeverForwarded() throws Exception {
        var received = startHome();
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", homeUrl(), true));
        var http = HttpClient.newHttpClient();
        // sent as written: /internal/forward/../v1/... would be /internal/v1/... at the home gateway
        for (String path : List.of("/../v1/served-requests?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
                "/v1/../internal/v1/served-requests", "/v1/models%2F..%2F..%2Finternal%2Fv1%2Fserved-requests")) {
            var answer = http.send(HttpRequest.newBuilder(URI.create(self.toString().replaceAll("/+$", "") + path))
                    .header("Authorization", "Bearer " + key.key()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.body()).contains("invalid_path");
        }
        assertThat(received).as("nothing reaches the home gateway").isNotDone();
    }

    @Test
    void aV1PathTheRouteTableDoesNotNameIs404AndNeverForwarded() throws Exception {
        var received = startHome();
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", homeUrl(), true));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/served-requests").then()
                .statusCode(404).body("error.code", equalTo("unknown_url"));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/modelsx").then()
                .statusCode(404).body("error.code", equalTo("unknown_url"));
        assertThat(received).as("nothing reaches the home gateway").isNotDone();
    }

    @Test
    void tenantThatForbidsTransitGets421NamingItsHomeGateway() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", "http://us-east.example:8082",
                false));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(421)
                .body("error.code", equalTo("wrong_region"))
                .body("error.message", containsString("http://us-east.example:8082"));
    }

    @Test
    void aSovereignRegionsTenantIsRefusedWith421NamingItsGatewayAndNeverForwarded() throws Exception {
        var received = startHome();
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedInSovereign("cn-north", homeUrl()));
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body("{\"input\":\"hello\",\"model\":\"all-minilm-l6-v2\"}")
                .post("/v1/embeddings").then()
                .statusCode(421)
                .body("error.code", equalTo("sovereign_region"))
                .body("error.message", containsString(homeUrl()));
        assertThat(received).as("nothing reaches the sovereign region's gateway").isNotDone();
    }

    @Test
    void unreachableHomeGatewayIs502SayingWhichRegion() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", "http://127.0.0.1:9", true));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(502)
                .body("error.code", equalTo("home_region_unreachable"))
                .body("error.message", containsString("us-east"));
    }

    @Test
    void forwardingLoopIsStoppedWith508() {
        // The directory says us-east's gateway is at this (eu-central) gateway's own address.
        String selfUrl = self.toString().replaceAll("/$", "");
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", selfUrl, true));
        given().header("Authorization", "Bearer " + key.key()).get("/v1/models").then()
                .statusCode(508)
                .body("error.code", equalTo("loop_detected"));
    }

    @Test
    void forwardedCallWithoutATokenIs401() {
        given().header(MeridianHeaders.TENANT_ID, "t").header(MeridianHeaders.KEY_ID, "k")
                .get("/internal/forward/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("invalid_service_token"));
    }

    @Test
    void forwardedCallWithAnInvalidTokenIs401() {
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
                .header(MeridianHeaders.TENANT_ID, "t").header(MeridianHeaders.KEY_ID, "k")
                .get("/internal/forward/v1/models").then()
                .statusCode(401)
                .body("error.code", equalTo("invalid_service_token"));
    }

    @Test
    void forwardedCallWithATokenThatIsNotAGatewaysIs403() {
        String partner = TestStack.get().serviceToken("meridian-partner");
        given().auth().oauth2(partner).header(MeridianHeaders.TENANT_ID, "t").header(MeridianHeaders.KEY_ID, "k")
                .get("/internal/forward/v1/models").then()
                .statusCode(403)
                .body("error.message", containsString("service-gateway"));
    }

    @Test
    void forwardedCallFromAnotherGatewayIsServedHere() {
        String gateway = TestStack.get().serviceToken("meridian-gateway");
        given().auth().oauth2(gateway)
                .header(MeridianHeaders.TENANT_ID, "6d0c4f5e-0000-4000-8000-000000000001")
                .header(MeridianHeaders.KEY_ID, "6d0c4f5e-0000-4000-8000-000000000002")
                .header(MeridianHeaders.SCOPES, "models")
                .header(MeridianHeaders.FORWARDED_BY, "us-east")
                .get("/internal/forward/v1/models").then()
                .statusCode(200)
                .header("X-Meridian-Served-By", equalTo("eu-central"))
                .body("object", equalTo("list"));
    }

    @Test
    void forwardedCallThatNamesNoTenantIs400() {
        String gateway = TestStack.get().serviceToken("meridian-gateway");
        given().auth().oauth2(gateway).header(MeridianHeaders.FORWARDED_BY, "us-east")
                .get("/internal/forward/v1/models").then()
                .statusCode(400)
                .body("error.code", equalTo("bad_forward"));
    }

    @Test
    void forwardedCallWhoseCallerHeadersAreMalformedIs400NamingTheHeader() {
        String gateway = TestStack.get().serviceToken("meridian-gateway");
        given().auth().oauth2(gateway).header(MeridianHeaders.FORWARDED_BY, "us-east")
                .header(MeridianHeaders.TENANT_ID, "not-a-tenant")
                .header(MeridianHeaders.KEY_ID, "6d0c4f5e-0000-4000-8000-000000000002")
                .get("/internal/forward/v1/models").then()
                .statusCode(400)
                .body("error.code", equalTo("bad_forward"))
                .body("error.message", org.hamcrest.Matchers.containsString(MeridianHeaders.TENANT_ID));
    }
}
