package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.stack.OidcBrowser;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing secret reaches a log (issue #15): after calls that carry every kind of secret — a person's password and
 * token, an API key used right and with a wrong secret, a partner credential's secret and token, its rotation — no
 * log file of the running platform (the services', Keycloak's and Kafka's) holds any of them, nor any of the
 * platform's own passwords and client secrets.
 */
class SecretsStayOutOfLogsIT {

    @Test
    void noLogHoldsAKeyATokenOrAPassword() throws IOException {
        var platform = SystemUnderTest.platform();
        Map<String, String> secrets = new LinkedHashMap<>();
        platform.secrets().asMap().forEach((name, value) -> secrets.put("platform secret " + name, value));
        var env = new Properties();
        try (var in = Files.newBufferedReader(platform.stateDir().resolve("dev.env"))) {
            env.load(in);
        }
        for (String name : List.of("MERIDIAN_DEMO_API_KEY", "MERIDIAN_DEMO_PASSWORD",
                "MERIDIAN_DEMO_PARTNER_CLIENT_SECRET")) {
            secrets.put(name, env.getProperty(name));
        }

        // a person: their password and token; a key of theirs, used right and with a forged secret
        var user = ConsoleUser.signUp();
        secrets.put("a user's password", user.password());
        secrets.put("a user's access token", user.accessToken());
        String tenant = user.createTenant("Secretive", "eu-central");
        String key = user.createKeySecret(tenant, List.of("inference", "models"));
        secrets.put("an API key", key);
        secrets.put("an API key's secret part", key.substring(key.lastIndexOf('_') + 1));
        String forged = key.substring(0, key.lastIndexOf('_') + 1) + "x".repeat(43);
        secrets.put("a forged API key", forged);
        for (String gateway : List.of(SystemUnderTest.eu(), SystemUnderTest.us())) {
            given().baseUri(gateway).auth().oauth2(key).get("/v1/models").then().statusCode(200);
            given().baseUri(gateway).auth().oauth2(forged).get("/v1/models").then().statusCode(401);
            given().baseUri(gateway).auth().oauth2(key).contentType(ContentType.JSON)
                    .body(Map.of("model", "all-minilm-l6-v2", "input", "a text")).post("/v1/embeddings").then()
                    .statusCode(200);
        }

        // a partner: its credential's secret, a token, and the secret that replaces it
        String partner = given().baseUri(SystemUnderTest.eu()).auth().oauth2(Operator.token())
                .contentType(ContentType.JSON).body(Map.of("name", "Discreet Partner", "contact_email",
                        "ops@discreet.example", "regions", List.of("eu-central"), "programme", "referral",
                        "share_bp", 1000))
                .post("/api/v1/partners").then().statusCode(201).extract().path("id");
        JsonPath credential = given().baseUri(SystemUnderTest.eu()).auth().oauth2(Operator.token())
                .contentType(ContentType.JSON).body(Map.of("name", "integration"))
                .post("/api/v1/partners/{p}/credentials", partner).then().statusCode(201).extract().jsonPath();
        secrets.put("a partner credential's secret", credential.getString("client_secret"));
        String partnerToken = OidcBrowser.clientCredentials(platform.keycloakUrl(),
                credential.getString("client_id"), credential.getString("client_secret")).accessToken();
        secrets.put("a partner's token", partnerToken);
        given().baseUri(SystemUnderTest.us()).auth().oauth2(partnerToken).get("/api/v1/partners/{p}/tenants", partner)
                .then().statusCode(200);
        secrets.put("a rotated partner secret", given().baseUri(SystemUnderTest.us()).auth().oauth2(partnerToken)
                .contentType(ContentType.JSON).post("/api/v1/partners/{p}/credentials/{c}/rotate", partner, credential.getString("id")).then()
                .statusCode(200).extract().path("client_secret"));

        List<String> found = new ArrayList<>();
        try (Stream<Path> logs = Files.list(platform.stateDir().resolve("logs"))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                String text = read(log);
                secrets.forEach((what, value) -> {
                    if (value != null && value.length() >= 8 && text.contains(value)) {
                        found.add(what + " in " + log.getFileName());
                    }
                });
            }
        }
        assertThat(secrets).hasSizeGreaterThan(15);
        assertThat(found).as("secrets found in the platform's logs").isEmpty();
    }

    private static String read(Path log) {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
