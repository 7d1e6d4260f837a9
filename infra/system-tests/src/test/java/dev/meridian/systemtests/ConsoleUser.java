package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

import dev.meridian.stack.OidcBrowser;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A person using the web console: signs up through Keycloak's real registration page (verifying the address by the
 * link in Keycloak's mail), then calls the management API through a regional gateway with the bearer token the
 * console would hold.
 */
record ConsoleUser(String email, String password, String accessToken) {

    static ConsoleUser signUp() {
        String email = "user-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String password = "Pw-" + UUID.randomUUID();
        var platform = SystemUnderTest.platform();
        var tokens = OidcBrowser.signUp(platform.keycloakUrl(), platform.mailbox(), email, password, "Test", "User");
        return new ConsoleUser(email, password, tokens.accessToken());
    }

    RequestSpecification api() {
        return given().baseUri(SystemUnderTest.eu()).auth().oauth2(accessToken).contentType(ContentType.JSON);
    }

    /** Creates a tenant homed in {@code region} and returns its id. */
    String createTenant(String name, String region) {
        return api().body(Map.of("name", name, "home_region", region))
                .post("/api/v1/tenants")
                .then().statusCode(201)
                .extract().path("id");
    }

    /** Creates a tenant homed in {@code region} on {@code plan} and returns its id. */
    String createTenant(String name, String region, String plan) {
        return api().body(Map.of("name", name, "home_region", region, "plan", plan))
                .post("/api/v1/tenants")
                .then().statusCode(201)
                .extract().path("id");
    }

    /** Creates a key and returns the whole 201 body (id, prefix, key, ...). */
    Response createKey(String tenantId, String name, List<String> scopes) {
        Response response = api().body(Map.of("name", name, "scopes", scopes))
                .post("/api/v1/tenants/{t}/api-keys", tenantId);
        response.then().statusCode(201);
        return response;
    }

    String createKeySecret(String tenantId, List<String> scopes) {
        return createKey(tenantId, "test", scopes).path("key");
    }
}
