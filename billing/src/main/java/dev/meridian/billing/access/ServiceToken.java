package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Billing's client-credentials token (its own service account, realm role {@code service-billing}) for calling gateways
 * and tenancy's internal API, fetched from Keycloak and reused until near expiry.
 */
@ApplicationScoped
public class ServiceToken {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    BillingConfig config;
    @Inject
    ObjectMapper json;

    private String token;
    private Instant renewAt = Instant.EPOCH;

    public synchronized String get() throws IOException, InterruptedException {
        if (token != null && Instant.now().isBefore(renewAt)) {
            return token;
        }
        var r = config.reconciliation();
        if (r.clientId().isEmpty() || r.clientSecret().isEmpty()) {
            throw new IllegalStateException("no client credentials: set meridian.billing.reconciliation.client-id"
                    + " and client-secret");
        }
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(r.clientId().get(),
                StandardCharsets.UTF_8) + "&client_secret=" + URLEncoder.encode(r.clientSecret().get(),
                StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(r.realmUrl() + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused billing's client credentials (" + response.statusCode()
                    + ")");
        }
        JsonNode body = json.readTree(response.body());
        token = body.path("access_token").asText();
        renewAt = Instant.now().plusSeconds(Math.max(5, body.path("expires_in").asLong(60) - 30));
        return token;
    }
}
