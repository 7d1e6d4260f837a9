package dev.meridian.stack;

/** What Keycloak's token endpoint answered. */
public record Tokens(String accessToken, String refreshToken, String idToken, long expiresIn) {

    static Tokens fromJson(String body) {
        var json = Json.parse(body);
        if (!json.hasNonNull("access_token")) {
            throw new IllegalStateException("token endpoint answered without an access token: " + body);
        }
        return new Tokens(json.get("access_token").asText(),
                json.hasNonNull("refresh_token") ? json.get("refresh_token").asText() : null,
                json.hasNonNull("id_token") ? json.get("id_token").asText() : null,
                json.path("expires_in").asLong());
    }
}
