package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code meridian.gateway.models-url} set: model listing and management and uploads go to the models service
 * (uploads streamed, even past the gateway's buffered body limit), embeddings and OIP stay on inference, and writes
 * need the {@code models} scope. The two services are stand-ins that record what reached them (the gateway's contract
 * with them; the services themselves are tested in their modules). This profile runs without the shared test
 * servers, since a second configuration cannot share them in one JVM; the gateway's service token is therefore a
 * fixed stand-in here, while HomeRegionForwardingIT covers the real Keycloak token on the same call path.
 */
@QuarkusTest
@TestProfile(RegistryRoutesIT.WithServices.class)
class RegistryRoutesIT {

    static final String SERVICE_TOKEN = "stand-in-service-token";

    private static HttpServer models;
    private static HttpServer inference;

    /**
     * A stand-in that answers with what reached it: the profile starts it in another class loader than the test
     * methods run in, so it reports through its answers, not through shared state.
     */
    private static HttpServer standIn(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            long bytes;
            try (var in = exchange.getRequestBody()) {
                bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            var h = exchange.getRequestHeaders();
            String answer = "{\"served_by\":\"" + name + "\",\"method\":\"" + exchange.getRequestMethod()
                    + "\",\"uri\":\"" + exchange.getRequestURI() + "\",\"bytes\":" + bytes
                    + ",\"home_region\":\"" + h.getFirst(MeridianHeaders.HOME_REGION)
                    + "\",\"tenant_id\":\"" + h.getFirst(MeridianHeaders.TENANT_ID)
                    + "\",\"authorization\":\"" + h.getFirst("Authorization") + "\"}";
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Stand-ins for the region's models and inference services; no Kafka or Keycloak (closed ports). */
    public static class WithServices implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            synchronized (RegistryRoutesIT.class) {
                try {
                    if (models == null) {
                        models = standIn("models");
                        inference = standIn("inference");
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return Map.of(
                    "meridian.gateway.models-url", "http://127.0.0.1:" + models.getAddress().getPort(),
                    "meridian.gateway.inference-url", "http://127.0.0.1:" + inference.getAddress().getPort(),
                    "kafka.bootstrap.servers", "127.0.0.1:9",
                    "meridian.kafka.password", "unused",
                    "quarkus.oidc.auth-server-url", "http://127.0.0.1:9/realms/meridian",
                    "quarkus.oidc-client.auth-server-url", "http://127.0.0.1:9/realms/meridian",
                    "quarkus.oidc.connection-delay", "0S",
                    "quarkus.oidc-client.connection-delay", "0S",
                    "quarkus.oidc-client.credentials.secret", "unused");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(StandInServiceToken.class);
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The gateway's service token, fixed for this profile (no Keycloak here). */
    @Alternative
    @Singleton
    public static class StandInServiceToken extends ServiceToken {
        public StandInServiceToken() {
            super(null);
        }

        @Override
        public Uni<String> get() {
            return Uni.createFrom().item(SERVICE_TOKEN);
        }
    }

    @Inject
    KeyDirectory keys;

    private String key(String... scopes) {
        return "Bearer " + TestKeys.seedNow(keys, TestKeys.Spec.active().withScopes(scopes)).key();
    }

    @Test
    void registryRoutesGoToTheModelsServiceWithTheHomeRegion() {
        var seeded = TestKeys.seedNow(keys, TestKeys.Spec.active().withScopes("models"));
        for (String path : List.of("/v1/models", "/v1/models/mine", "/v1/models/mine/versions",
                "/v1/uploads/u1")) {
            given().header("Authorization", "Bearer " + seeded.key()).get(path).then().statusCode(200)
                    .body("served_by", equalTo("models"))
                    .body("uri", equalTo(path))
                    .body("home_region", equalTo("eu-central"))
                    .body("tenant_id", equalTo(seeded.record().tenantId().toString()))
                    .body("authorization", equalTo("Bearer " + SERVICE_TOKEN));
        }
        given().header("Authorization", "Bearer " + seeded.key()).post("/v1/models/mine/versions/1/deploy").then()
                .statusCode(200).body("served_by", equalTo("models")).body("method", equalTo("POST"));
    }

    @Test
    void embeddingsAndOipStayOnInference() {
        String k = key("inference");
        given().header("Authorization", k).contentType("application/json").body("{\"model\":\"m\",\"input\":\"x\"}")
                .post("/v1/embeddings").then().statusCode(200).body("served_by", equalTo("inference"));
        given().header("Authorization", k).contentType("application/json").body("{\"inputs\":[]}")
                .post("/v2/models/mine/infer").then().statusCode(200).body("served_by", equalTo("inference"))
                .body("uri", equalTo("/v2/models/mine/infer"));
    }

    @Test
    void anUploadLargerThanTheBufferedBodyLimitIsStreamedWhole() {
        byte[] big = new byte[12 * 1024 * 1024]; // the gateway buffers at most 10 MiB
        long sent = given().header("Authorization", key("models")).multiPart("file", "m.onnx", big)
                .multiPart("name", "m").post("/v1/models").then().statusCode(200)
                .body("served_by", equalTo("models")).body("uri", equalTo("/v1/models"))
                .extract().jsonPath().getLong("bytes");
        assertThat(sent).isGreaterThan(big.length);
        long part = given().header("Authorization", key("models")).multiPart("data", "p", big)
                .post("/v1/uploads/u1/parts").then().statusCode(200).extract().jsonPath().getLong("bytes");
        assertThat(part).isGreaterThan(big.length);
    }

    @Test
    void readingModelsTakesInferenceButChangingThemNeedsModels() {
        String inferenceOnly = key("inference");
        given().header("Authorization", inferenceOnly).get("/v1/models").then().statusCode(200)
                .body("served_by", equalTo("models"));
        given().header("Authorization", inferenceOnly).multiPart("file", "m.onnx", new byte[10])
                .multiPart("name", "m").post("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"));
        given().header("Authorization", inferenceOnly).delete("/v1/models/m").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"));
        given().header("Authorization", inferenceOnly).contentType("application/json").body("{}")
                .post("/v1/uploads").then().statusCode(403).body("error.code", equalTo("insufficient_scope"));
    }
}
