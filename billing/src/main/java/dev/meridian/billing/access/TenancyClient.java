package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.auth.ServiceToken;
import dev.meridian.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Billing's questions to tenancy. With the caller's own token: which role a console user holds in a tenant
 * ({@code GET /api/v1/tenants/{t}} answers the tenant with the caller's {@code role}, or 404 to a non-member), and
 * whether the caller may act for a partner ({@code GET /api/v1/partners/{p}}: 200 or 404). With billing's own service
 * token: the partner directory ({@code GET /internal/v1/partners[/{p}]}), the programme terms, price list and owned
 * tenants that partner statements and partner plan changes are computed from. Billing keeps no copy of memberships or
 * terms, so a role change or removal counts at once, and a statement copies the terms when it is closed.
 */
@ApplicationScoped
public class TenancyClient {

    /** What tenancy says about the tenant, as the user sees it. */
    public record Membership(String role, String homeRegion, String plan) {
    }

    /**
     * The caller may act for the partner; {@code role} is the member's partner role ({@code partner-admin} or
     * {@code partner-support}), or empty for a partner credential.
     */
    public record PartnerStanding(Optional<String> role) {
    }

    /** A tenant a partner owns (created), as tenancy's partner directory names it. */
    public record OwnedTenant(UUID id, String name, String homeRegion) {
    }

    /**
     * A partner's terms as tenancy's directory states them: referral ({@code share_bp}, overridden per plan and per
     * meter) or reseller ({@code discount_bp}); {@code plans} is its price list; {@code tenants} only those it owns.
     */
    public record Partner(UUID id, String name, String programme, Integer shareBp, Map<String, Integer> shareBpByPlan,
            Map<String, Integer> shareBpByMeter, Integer discountBp, List<String> plans, List<OwnedTenant> tenants) {

        public Map<String, Integer> shareBpByPlan() {
            return shareBpByPlan == null ? Map.of() : shareBpByPlan;
        }

        public Map<String, Integer> shareBpByMeter() {
            return shareBpByMeter == null ? Map.of() : shareBpByMeter;
        }

        public List<String> plans() {
            return plans == null ? List.of() : plans;
        }

        public List<OwnedTenant> tenants() {
            return tenants == null ? List.of() : tenants;
        }

        public Optional<OwnedTenant> owned(UUID tenantId) {
            return tenants().stream().filter(t -> t.id().equals(tenantId)).findFirst();
        }
    }

    private static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    BillingConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    ServiceToken serviceToken;

    public Optional<Membership> membership(String bearerToken, UUID tenantId) {
        return get("/api/v1/tenants/" + tenantId, bearerToken, "check your membership", Set.of(403, 404)).map(body ->
                new Membership(body.path("role").asText(), body.path("home_region").asText(),
                        body.path("plan").asText()));
    }

    /** Whether the caller of {@code bearerToken} (a partner credential or a partner member) may act for the partner. */
    public Optional<PartnerStanding> partnerStanding(String bearerToken, UUID partnerId) {
        return get("/api/v1/partners/" + partnerId, bearerToken, "check that you may act for this partner",
                Set.of(401, 403, 404))
                .map(body -> new PartnerStanding(body.hasNonNull("role") ? Optional.of(body.get("role").asText())
                        : Optional.empty()));
    }

    /** One partner's terms, price list and owned tenants, or empty if tenancy knows no such partner. */
    public Optional<Partner> partner(UUID partnerId) {
        return get("/internal/v1/partners/" + partnerId, serviceToken(), "read the partner's terms", Set.of(404))
                .map(this::partnerOf);
    }

    /** Every partner, for the period close. */
    public List<Partner> partners() {
        JsonNode body = get("/internal/v1/partners", serviceToken(), "list the partners", Set.of())
                .orElseThrow(() -> ApiException.unavailable("Tenancy does not serve its partner directory; retry."));
        List<Partner> out = new ArrayList<>();
        for (JsonNode p : body.path("data")) {
            out.add(partnerOf(p));
        }
        return out;
    }

    private Partner partnerOf(JsonNode node) {
        try {
            // tenancy may add fields to its directory; billing reads the ones it needs
            return json.readerFor(Partner.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(node);
        } catch (IOException e) {
            throw ApiException.unavailable("Billing cannot read tenancy's partner directory (" + e.getMessage()
                    + "); retry shortly.");
        }
    }

    private String serviceToken() {
        try {
            return serviceToken.get().await().atMost(TOKEN_TIMEOUT);
        } catch (RuntimeException e) {
            throw ApiException.unavailable("Billing cannot get its service token to ask tenancy: " + e.getMessage());
        }
    }

    /** The JSON tenancy answers with 200, or empty on a status in {@code no} (no such thing for this caller). */
    private Optional<JsonNode> get(String path, String bearerToken, String what, Set<Integer> no) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.tenancyUrl() + path))
                .header("Authorization", "Bearer " + bearerToken)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(5))
                .GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiException.unavailable("Billing cannot " + what + ": tenancy does not answer. Retry shortly.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("Interrupted while trying to " + what + "; retry.");
        }
        int status = response.statusCode();
        if (no.contains(status)) {
            return Optional.empty();
        }
        if (status != 200) {
            throw ApiException.unavailable("Billing cannot " + what + ": tenancy answered " + status
                    + ". Retry shortly.");
        }
        try {
            return Optional.of(json.readTree(response.body()));
        } catch (IOException e) {
            throw ApiException.unavailable("Billing cannot read tenancy's answer when trying to " + what + "; retry.");
        }
    }
}
