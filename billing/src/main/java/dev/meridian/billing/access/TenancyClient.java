package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import io.quarkus.oidc.client.OidcClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.ServerErrorException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Billing's questions to tenancy. With the caller's own token: which role a console user holds in a tenant
 * ({@code GET /api/v1/tenants/{t}} answers the tenant with the caller's {@code role}, or 404 to a non-member), and
 * whether the caller may act for a partner ({@code GET /api/v1/partners/{p}}: 200 or 404). With billing's own service
 * token: the partner directory ({@code GET /internal/v1/partners[/{p}]}), the programme terms, price list and owned
 * tenants that partner statements and partner plan changes are computed from. Billing keeps no copy of memberships or
 * terms, so a role change or removal counts at once, and a statement copies the terms when it is closed. The calls
 * ({@link TenancyCalls}) go through typed REST clients under a timeout, a retry and a circuit breaker; when tenancy
 * cannot answer, every method here throws a 503 that says so and asks the caller to retry.
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

    @Inject
    TenancyCalls calls;
    @Inject
    ObjectMapper json;

    public Optional<Membership> membership(String bearerToken, UUID tenantId) {
        return ask("check your membership", Set.of(403, 404), () -> calls.tenant(bearerToken, tenantId)).map(body ->
                new Membership(body.path("role").asText(), body.path("home_region").asText(),
                        body.path("plan").asText()));
    }

    /** Whether the caller of {@code bearerToken} (a partner credential or a partner member) may act for the partner. */
    public Optional<PartnerStanding> partnerStanding(String bearerToken, UUID partnerId) {
        return ask("check that you may act for this partner", Set.of(401, 403, 404),
                () -> calls.partner(bearerToken, partnerId))
                .map(body -> new PartnerStanding(body.hasNonNull("role") ? Optional.of(body.get("role").asText())
                        : Optional.empty()));
    }

    /** One partner's terms, price list and owned tenants, or empty if tenancy knows no such partner. */
    public Optional<Partner> partner(UUID partnerId) {
        return ask("read the partner's terms", Set.of(404), () -> calls.partnerEntry(partnerId)).map(this::partnerOf);
    }

    /** Every partner, for the period close. */
    public List<Partner> partners() {
        JsonNode body = ask("list the partners", Set.of(), calls::partnerDirectory).orElseThrow();
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

    /**
     * The JSON tenancy answers with 200, or empty on a refusal with a status in {@code no} (no such thing for this
     * caller). Anything else is a 503 that says why billing cannot tell and to retry: mostly what the fault tolerance
     * of {@link TenancyCalls} leaves (the retry exhausted, the timeout, the circuit open), which says tenancy is
     * unavailable; never a stack trace.
     */
    private Optional<JsonNode> ask(String what, Set<Integer> no, Supplier<JsonNode> call) {
        try {
            return Optional.of(call.get());
        } catch (ClientErrorException e) {
            int status = e.getResponse().getStatus();
            if (no.contains(status)) {
                return Optional.empty();
            }
            throw unavailable(what, "tenancy refused billing's question (" + status + ")");
        } catch (ServerErrorException e) {
            throw unavailable(what, "tenancy is unavailable (it answered " + e.getResponse().getStatus() + ")");
        } catch (CircuitBreakerOpenException e) {
            throw unavailable(what, "tenancy is unavailable (it failed repeatedly just now; billing asks it again in a"
                    + " few seconds)");
        } catch (TimeoutException e) {
            throw unavailable(what, "tenancy is unavailable (it does not answer in time)");
        } catch (ProcessingException e) {
            throw unavailable(what, causedBy(e, OidcClientException.class)
                    ? "billing cannot get its service token from Keycloak to ask tenancy"
                    : "tenancy is unavailable (it does not answer)");
        } catch (WebApplicationException e) {
            // the REST client could not read tenancy's 200 (not JSON)
            throw unavailable(what, "tenancy's answer cannot be read");
        }
    }

    private static ApiException unavailable(String what, String why) {
        return ApiException.unavailable("Billing cannot " + what + ": " + why + ". Retry in a few seconds.");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
