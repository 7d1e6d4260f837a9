package dev.meridian.tenancy;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.testing.TestStack;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** What the tenancy ITs do over and over: call the API as someone, set up tenants, keys and members, peek at the DB. */
final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Api() {
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    static RequestSpecification asGateway() {
        return as(TestStack.get().serviceToken("meridian-gateway"));
    }

    static TestStack.SignedUpUser newUser() {
        return TestStack.get().newUser();
    }

    static String createTenant(String token, String name) {
        return as(token).body(Map.of("name", name, "home_region", "eu-central")).post("/api/v1/tenants")
                .then().statusCode(201).extract().path("id");
    }

    static ExtractableResponse<Response> createKey(String token, String tenantId, String name, String... scopes) {
        return as(token).body(Map.of("name", name, "scopes", List.of(scopes)))
                .post("/api/v1/tenants/{t}/api-keys", tenantId).then().statusCode(201).extract();
    }

    /** Invites a fresh user with {@code role} and has them accept: a signed-up, active member. */
    static TestStack.SignedUpUser memberWithRole(String ownerToken, String tenantId, String role) {
        var user = newUser();
        String memberId = as(ownerToken).body(Map.of("email", user.email(), "role", role))
                .post("/api/v1/tenants/{t}/members", tenantId).then().statusCode(201).extract().path("id");
        as(user.accessToken()).post("/api/v1/invitations/{m}/accept", memberId).then().statusCode(200);
        return user;
    }

    static String memberIdOf(String token, String tenantId, String email) {
        List<Map<String, Object>> members = as(token).get("/api/v1/tenants/{t}/members", tenantId)
                .then().statusCode(200).extract().path("data");
        return members.stream().filter(m -> email.equalsIgnoreCase((String) m.get("email")))
                .map(m -> (String) m.get("id")).findFirst()
                .orElseThrow(() -> new AssertionError(email + " is not a member of " + tenantId));
    }

    /** The Keycloak user id ({@code sub}) in an access token. */
    static String subjectOf(String token) {
        try {
            byte[] payload = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
            return JSON.readTree(payload).get("sub").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection as the database superuser, which bypasses row-level security: to check what really is stored. */
    static Connection superuser() throws SQLException {
        return TestStack.get().postgres().admin(TestStack.CONTROL_DB);
    }

    static long count(String sql, Object... params) {
        try (Connection c = superuser(); var s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
