package dev.meridian.console.api;

import io.quarkus.oidc.token.propagation.common.AccessToken;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Meridian's management API as customers' programs see it: through the gateway ({@code meridian.console.api-url}),
 * with the signed-in user's own access token (token propagation), so the console may do exactly what the user may.
 * A refusal comes back as {@link jakarta.ws.rs.WebApplicationException} with the API's problem document.
 */
@RegisterRestClient(configKey = "meridian-api")
@AccessToken
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MeridianApi {

    record Region(String id, String name, String currency, String residency) {
    }

    record Regions(List<Region> data) {
    }

    record Tenant(UUID id, String name, String homeRegion, String plan, String status, String role,
            List<String> keyScopes, Instant createdAt) {

        public boolean mayManage() {
            return "owner".equals(role) || "admin".equals(role);
        }

        public boolean mayCreateKeys() {
            return keyScopes != null && !keyScopes.isEmpty();
        }

        /**
         * Whether the user's role may use the tenant API with {@code scope} ({@code models}, {@code fine-tune},
         * {@code inference}): the gateway gives a member's console token the scopes their role may put on a key.
         */
        public boolean may(String scope) {
            return keyScopes != null && keyScopes.contains(scope);
        }
    }

    record Tenants(List<Tenant> data) {
    }

    record NewTenant(String name, String homeRegion, String plan) {
    }

    record Key(UUID id, String name, String prefix, List<String> scopes, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt) {

        public String scopeList() {
            return scopes == null ? "" : String.join(", ", scopes);
        }

        public boolean active() {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(Instant.now()));
        }
    }

    record Keys(List<Key> data) {
    }

    record NewKey(String name, List<String> scopes) {
    }

    /** A key as created or rotated: {@code key} is the secret, shown this once. */
    record CreatedKey(UUID id, String name, String prefix, List<String> scopes, String key) {
    }

    record Member(UUID id, String email, String role, String status, Instant createdAt) {
    }

    record Members(List<Member> data) {
    }

    record Invitation(String email, String role) {
    }

    /** Usage of one meter (and model, key, day, as grouped). */
    record Figure(String meter, String model, UUID keyId, Instant day, long quantity, long events) {
    }

    record Usage(Instant from, Instant to, List<Figure> data) {
    }

    record Invoice(UUID id, String status, String number, Instant periodStart, Instant periodEnd, String currency,
            String plan, List<InvoiceLine> lines, long subtotalMinor, int taxRateBp, long taxMinor, long totalMinor,
            long trialCreditsAppliedMinor, long creditsAppliedMinor, long amountDueMinor, Instant finalizedAt) {

        /** The tax rate as a percentage ("19.00"). */
        public String taxPercent() {
            return java.math.BigDecimal.valueOf(taxRateBp, 2).toPlainString();
        }
    }

    record InvoiceLine(int lineNo, String meter, String description, long quantity, long amountMinor) {
    }

    record Invoices(List<Invoice> data) {
    }

    record Budget(UUID keyId, Long softBudgetMinor, Long hardBudgetMinor, long spentMinor) {
    }

    record Budgets(String currency, Budget tenant, List<Budget> keys, String webhookUrl) {
    }

    record Actor(String id, String email) {
    }

    record AuditEvent(UUID id, Actor actor, String action, String targetType, String targetId,
            Map<String, Object> details, Instant occurredAt) {
    }

    record AuditPage(List<AuditEvent> data, boolean hasMore, String nextBefore) {
    }

    @GET
    @Path("/tenants/{t}/audit-events")
    AuditPage audit(@PathParam("t") UUID tenant, @QueryParam("limit") int limit, @QueryParam("before") String before,
            @QueryParam("action") String action, @QueryParam("actor") String actor);

    @GET
    @Path("/regions")
    Regions regions();

    @GET
    @Path("/billing/usage")
    Usage usage(@QueryParam("tenant_id") UUID tenant, @QueryParam("group_by") String groupBy);

    @GET
    @Path("/billing/invoices")
    Invoices invoices(@QueryParam("tenant_id") UUID tenant);

    @GET
    @Path("/billing/invoices/{id}")
    Invoice invoice(@QueryParam("tenant_id") UUID tenant, @PathParam("id") UUID invoice);

    /** This month's draft, usage so far priced (Stripe's "upcoming invoice"). */
    @GET
    @Path("/billing/invoices/upcoming")
    Invoice upcomingInvoice(@QueryParam("tenant_id") UUID tenant);

    @GET
    @Path("/billing/invoices/upcoming.pdf")
    @Produces("application/pdf")
    byte[] upcomingInvoicePdf(@QueryParam("tenant_id") UUID tenant);

    @GET
    @Path("/billing/invoices/{id}.pdf")
    @Produces("application/pdf")
    byte[] invoicePdf(@QueryParam("tenant_id") UUID tenant, @PathParam("id") UUID invoice);

    @GET
    @Path("/billing/budgets")
    Budgets budgets(@QueryParam("tenant_id") UUID tenant);

    @PUT
    @Path("/billing/budgets")
    Budgets setBudgets(@QueryParam("tenant_id") UUID tenant, Map<String, Object> budgets);

    @PUT
    @Path("/billing/budgets/keys/{k}")
    Budget setKeyBudget(@QueryParam("tenant_id") UUID tenant, @PathParam("k") UUID key, Map<String, Object> budget);

    @GET
    @Path("/tenants")
    Tenants tenants();

    @POST
    @Path("/tenants")
    Tenant createTenant(NewTenant tenant);

    @GET
    @Path("/tenants/{t}")
    Tenant tenant(@PathParam("t") UUID tenant);

    @GET
    @Path("/tenants/{t}/api-keys")
    Keys keys(@PathParam("t") UUID tenant);

    @POST
    @Path("/tenants/{t}/api-keys")
    CreatedKey createKey(@PathParam("t") UUID tenant, NewKey key);

    @POST
    @Path("/tenants/{t}/api-keys/{k}/revoke")
    Key revokeKey(@PathParam("t") UUID tenant, @PathParam("k") UUID key);

    @POST
    @Path("/tenants/{t}/api-keys/{k}/rotate")
    CreatedKey rotateKey(@PathParam("t") UUID tenant, @PathParam("k") UUID key, Map<String, Object> options);

    @GET
    @Path("/tenants/{t}/members")
    Members members(@PathParam("t") UUID tenant);

    @POST
    @Path("/tenants/{t}/members")
    Member invite(@PathParam("t") UUID tenant, Invitation invitation);

    @PATCH
    @Path("/tenants/{t}/members/{m}")
    Member changeRole(@PathParam("t") UUID tenant, @PathParam("m") UUID member, Map<String, String> role);

    @DELETE
    @Path("/tenants/{t}/members/{m}")
    void remove(@PathParam("t") UUID tenant, @PathParam("m") UUID member);
}
