package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.StandInTenancy;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Tenant exports at the gateway: a signed-in owner's call goes to the home region's models service (here) or to the
 * home region's gateway (elsewhere), with the member's identity and role and the gateway's service token, never the
 * user's token; other roles get 403 and non-members 404, whatever {@code X-Meridian-*} headers they send. Real
 * Keycloak tokens; tenancy's member lookup and the models service (which also stands in for another region's
 * gateway) are stand-ins that answer with what reached them.
 */
@QuarkusTest
@TestProfile(ExportRoutesIT.WithStandIns.class)
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class ExportRoutesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpServer models;

    public static class WithStandIns implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.gateway.gateway-id", "eu-central-exports",
                    "meridian.gateway.models-url", standInUrl());
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInTenancy.class));
        }
    }

    /** Answers with what reached it: method, URI and the headers the gateway sets. */
    static synchronized String standInUrl() {
        if (models == null) {
            try {
                models = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            models.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                var h = exchange.getRequestHeaders();
                var seen = new LinkedHashMap<String, String>();
                seen.put("method", exchange.getRequestMethod());
                seen.put("uri", exchange.getRequestURI().toString());
                for (String name : List.of("Authorization", MeridianHeaders.TENANT_ID, MeridianHeaders.KEY_ID,
                        MeridianHeaders.MEMBER_ROLE, MeridianHeaders.HOME_REGION, MeridianHeaders.FORWARDED_BY)) {
                    seen.put(name, h.getFirst(name));
                }
                byte[] body = JSON.writeValueAsBytes(seen);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(202, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            models.start();
        }
        return "http://127.0.0.1:" + models.getAddress().getPort();
    }

    @Test
    void anOwnersCallGoesToTheHomeRegionsModelsServiceAsTheMemberNeverWithTheUsersToken() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        UUID membership = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant, membership, "owner", "eu-central"));

        JsonNode seen = JSON.readTree(given().auth().oauth2(token).post("/api/v1/tenants/" + tenant + "/exports")
                .then().statusCode(202).header("X-Meridian-Served-By", "eu-central").extract().asByteArray());

        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("uri").asText()).isEqualTo("/api/v1/tenants/" + tenant + "/exports");
        assertThat(seen.path(MeridianHeaders.TENANT_ID).asText()).isEqualTo(tenant.toString());
        assertThat(seen.path(MeridianHeaders.KEY_ID).asText()).isEqualTo(membership.toString());
        assertThat(seen.path(MeridianHeaders.MEMBER_ROLE).asText()).isEqualTo("owner");
        assertThat(seen.path(MeridianHeaders.HOME_REGION).asText()).isEqualTo("eu-central");
        assertThat(seen.path("Authorization").asText()).startsWith("Bearer ").isNotEqualTo("Bearer " + token);
    }

    @Test
    void anotherRoleIs403AndANonMemberIs404WhateverHeadersTheySend() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant, UUID.randomUUID(), "admin",
                "eu-central"));

        given().auth().oauth2(token).header(MeridianHeaders.MEMBER_ROLE, "owner")
                .get("/api/v1/tenants/" + tenant + "/exports").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("Only an owner"));
        UUID other = UUID.randomUUID();
        given().auth().oauth2(token).header(MeridianHeaders.TENANT_ID, other.toString())
                .header(MeridianHeaders.MEMBER_ROLE, "owner").get("/api/v1/tenants/" + other + "/exports/x")
                .then().statusCode(404).contentType("application/problem+json");
        given().get("/api/v1/tenants/" + tenant + "/exports").then().statusCode(401);
    }

    @Test
    void anOwnerOfATenantHomedElsewhereIsForwardedToTheHomeGatewayWithTheDownloadQuery() throws Exception {
        String token = TestStack.get().newUser().accessToken();
        UUID tenant = UUID.randomUUID();
        StandInTenancy.registerMember(tenant, subjectOf(token), member(tenant, UUID.randomUUID(), "owner",
                "us-east"));

        JsonNode seen = JSON.readTree(given().auth().oauth2(token)
                .get("/api/v1/tenants/" + tenant + "/exports/export-1/archive?expires=12&signature=ab")
                .then().statusCode(202).extract().asByteArray());

        assertThat(seen.path("uri").asText()).isEqualTo("/internal/forward/api/v1/tenants/" + tenant
                + "/exports/export-1/archive?expires=12&signature=ab");
        assertThat(seen.path(MeridianHeaders.FORWARDED_BY).asText()).isEqualTo("eu-central");
        assertThat(seen.path(MeridianHeaders.MEMBER_ROLE).asText()).isEqualTo("owner");
        assertThat(seen.path("Authorization").asText()).isNotEqualTo("Bearer " + token);
    }

    @Test
    void aForwardedExportCallIsServedHereOnlyWithTheMemberAndRoleAsserted() {
        String gateway = TestStack.get().serviceToken("meridian-gateway");
        UUID tenant = UUID.randomUUID();
        String path = "/internal/forward/api/v1/tenants/" + tenant + "/exports";

        given().auth().oauth2(gateway).header(MeridianHeaders.FORWARDED_BY, "us-east")
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                .header(MeridianHeaders.MEMBER_ROLE, "owner")
                .get(path).then().statusCode(202)
                .body("uri", org.hamcrest.Matchers.equalTo("/api/v1/tenants/" + tenant + "/exports"))
                .body("'" + MeridianHeaders.MEMBER_ROLE + "'", org.hamcrest.Matchers.equalTo("owner"));
        given().auth().oauth2(gateway).header(MeridianHeaders.FORWARDED_BY, "us-east")
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                .get(path).then().statusCode(400).body("detail", containsString(MeridianHeaders.MEMBER_ROLE));
        // a user's token is no gateway's
        given().auth().oauth2(TestStack.get().newUser().accessToken()).header(MeridianHeaders.MEMBER_ROLE, "owner")
                .get(path).then().statusCode(403);
    }

    /** What tenancy's member lookup answers: the key record shape with the membership id and the role. */
    private static String member(UUID tenant, UUID membership, String role, String home) throws IOException {
        var record = new LinkedHashMap<String, Object>();
        record.put("key_id", membership);
        record.put("tenant_id", tenant);
        record.put("prefix", null);
        record.put("hash", null);
        record.put("scopes", List.of("models"));
        record.put("tenant_status", "active");
        record.put("home_region", home);
        record.put("home_gateway_url", standInUrl());
        record.put("transit_allowed", true);
        record.put("plan", "payg");
        record.put("rate_limit", Map.of("requests_per_second", 100, "burst", 100));
        record.put("role", role);
        return JSON.writeValueAsString(record);
    }

    private static String subjectOf(String token) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).get("sub").asText();
    }
}
