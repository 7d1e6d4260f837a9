package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Asks tenancy, with the console user's own token, which role the user holds in a tenant
 * ({@code GET /api/v1/tenants/{t}} answers the tenant with the caller's {@code role}, or 404 to a non-member).
 * Billing keeps no copy of memberships, so a role change or removal counts at once.
 */
@ApplicationScoped
public class TenancyClient {

    /** What tenancy says about the tenant, as the user sees it. */
    public record Membership(String role, String homeRegion, String plan) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    BillingConfig config;
    @Inject
    ObjectMapper json;

    public Optional<Membership> membership(String bearerToken, UUID tenantId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.tenancyUrl() + "/api/v1/tenants/" + tenantId))
                .header("Authorization", "Bearer " + bearerToken)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(5))
                .GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiException.unavailable("Billing cannot check your membership: tenancy does not answer. Retry"
                    + " shortly.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("Interrupted while checking your membership; retry.");
        }
        if (response.statusCode() == 404 || response.statusCode() == 403) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw ApiException.unavailable("Billing cannot check your membership: tenancy answered "
                    + response.statusCode() + ". Retry shortly.");
        }
        try {
            JsonNode body = json.readTree(response.body());
            return Optional.of(new Membership(body.path("role").asText(), body.path("home_region").asText(),
                    body.path("plan").asText()));
        } catch (IOException e) {
            throw ApiException.unavailable("Billing cannot read tenancy's answer about your membership; retry.");
        }
    }
}
