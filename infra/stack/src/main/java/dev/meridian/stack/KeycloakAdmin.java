package dev.meridian.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of Keycloak's admin REST API the stack makes on the {@code meridian} realm, as the master realm's
 * admin: settings that depend on this start (the mail server's port) and, for tests, what an operator does to a user.
 */
public final class KeycloakAdmin {

    /** The sender of the realm's mails (e-mail verification). */
    public static final String MAIL_FROM = "no-reply@meridian.local";

    private final String base;
    private final String user;
    private final String password;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;
    private Instant tokenAt = Instant.MIN;

    public KeycloakAdmin(String keycloakUrl, String user, String password) {
        this.base = keycloakUrl.replaceAll("/+$", "");
        this.user = user;
        this.password = password;
    }

    /**
     * Points the realm's mails at {@code host:port} (no TLS, no login: a local server). Set through the API at each
     * start, never in the realm file, so that a Keycloak started from a seeded database sends to this start's port.
     */
    public void useMailServer(String host, int port) {
        String body = Json.MAPPER.createObjectNode().set("smtpServer", Json.MAPPER.valueToTree(Map.of(
                "host", host, "port", Integer.toString(port), "from", MAIL_FROM, "fromDisplayName", "Meridian",
                "auth", "false", "ssl", "false", "starttls", "false"))).toString();
        call("PUT", "", body, 204);
    }

    /** The id of the realm's user with this e-mail address, if there is one. */
    public Optional<String> userIdByEmail(String email) {
        var users = Json.parse(call("GET", "/users?exact=true&email=" + URLEncoder.encode(email,
                StandardCharsets.UTF_8), null, 200));
        return users.isEmpty() ? Optional.empty() : Optional.of(users.get(0).get("id").asText());
    }

    /** Changes a user's e-mail address, as the account page does when a person edits theirs. */
    public void changeEmail(String userId, String email, boolean verified) {
        String body = Json.MAPPER.valueToTree(Map.of("email", email, "emailVerified", verified)).toString();
        call("PUT", "/users/" + userId, body, 204);
    }

    /** Has Keycloak mail the user a link that verifies their address (what it does at sign-in when unverified). */
    public void sendVerifyEmail(String userId) {
        call("PUT", "/users/" + userId + "/send-verify-email", "", 204);
    }

    private String call(String method, String path, String body, int expected) {
        var request = HttpRequest.newBuilder(URI.create(base + "/admin/realms/" + KeycloakServer.REALM + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        var response = send(request);
        if (response.statusCode() != expected) {
            throw new IllegalStateException("Keycloak admin " + method + " " + path + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The admin's access token, renewed well before the master realm's one-minute lifetime ends. */
    private synchronized String token() {
        if (token == null || tokenAt.isBefore(Instant.now().minusSeconds(30))) {
            String form = "grant_type=password&client_id=admin-cli&username="
                    + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(password, StandardCharsets.UTF_8);
            var response = send(HttpRequest.newBuilder(URI.create(base
                            + "/realms/master/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Keycloak at " + base + " refused the admin login ("
                        + response.statusCode() + "): check the Keycloak admin user and password");
            }
            token = Json.field(response.body(), "access_token");
            tokenAt = Instant.now();
        }
        return token;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Keycloak at " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
