package dev.meridian.console.api;

import io.quarkus.oidc.token.propagation.common.AccessToken;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
 * The partner routes of the management API as a partner's people call them (tenancy's partners, members, owned
 * tenants and audit trail; billing's partner statements), through the same gateway and with the signed-in user's own
 * token as {@link MeridianApi}: a partner the user is not a member of is the API's 404.
 */
@RegisterRestClient(configKey = "meridian-api")
@AccessToken
@Path("/api/v1/partners")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface PartnerApi {

    String ADMIN = "partner-admin";
    String SUPPORT = "partner-support";
    List<String> ROLES = List.of(ADMIN, SUPPORT);

    /** A partner; {@code role} is the signed-in user's ({@code partner-admin}, {@code partner-support}). */
    record Partner(UUID id, String name, String contactEmail, List<String> regions, String programme, Integer shareBp,
            Integer discountBp, List<String> plans, String role) {

        /** Partner-admins create customer tenants and manage the partner's members; support only reads. */
        public boolean mayManage() {
            return ADMIN.equals(role);
        }

        /** The share (referral) or discount (reseller) in basis points as a percentage ("15.00"). */
        public String ratePercent() {
            Integer bp = "reseller".equals(programme) ? discountBp : shareBp;
            return bp == null ? null : java.math.BigDecimal.valueOf(bp, 2).toPlainString();
        }
    }

    record Partners(List<Partner> data) {
    }

    /** A tenant the partner owns (created it) or was granted access to, in any region. */
    record PartnerTenant(UUID id, String name, String homeRegion, String plan, String status, String role,
            String relationship) {
    }

    record PartnerTenants(List<PartnerTenant> data) {
    }

    record PartnerMember(UUID id, String email, String role, Instant createdAt) {
    }

    record PartnerMembers(List<PartnerMember> data) {
    }

    record NewPartnerMember(String email, String role) {
    }

    /** An audit event of the partner's: the tenant audit log's shape plus the tenant it was about. */
    record PartnerAuditEvent(UUID id, UUID tenantId, MeridianApi.Actor actor, String action, String targetType,
            String targetId, Map<String, Object> details, Instant occurredAt) {
    }

    record PartnerAuditPage(List<PartnerAuditEvent> data, boolean hasMore, String nextBefore) {
    }

    /** A closed, immutable statement of one period and currency: what the partner earned or owes per tenant. */
    record Statement(UUID id, String number, UUID partnerId, String partnerName, String programme, String status,
            Instant periodStart, Instant periodEnd, String currency, List<StatementLine> lines,
            long netInvoicedMinor, long creditNotesMinor, long amountMinor, String amountDirection,
            Instant finalizedAt) {

        public boolean payableToPartner() {
            return "payable_to_partner".equals(amountDirection);
        }
    }

    record StatementLine(UUID tenantId, String tenantName, String homeRegion, List<UUID> invoiceIds,
            long netInvoicedMinor, long creditNotesMinor, int rateBp, long amountMinor) {

        public String ratePercent() {
            return java.math.BigDecimal.valueOf(rateBp, 2).toPlainString();
        }
    }

    record Statements(List<Statement> data) {
    }

    /** The partners the user is a member of (an operator: every partner). */
    @GET
    Partners partners();

    @GET
    @Path("/{p}")
    Partner partner(@PathParam("p") UUID partner);

    @GET
    @Path("/{p}/tenants")
    PartnerTenants tenants(@PathParam("p") UUID partner);

    @POST
    @Path("/{p}/tenants")
    MeridianApi.Tenant createTenant(@PathParam("p") UUID partner, MeridianApi.NewTenant tenant);

    @GET
    @Path("/{p}/members")
    PartnerMembers members(@PathParam("p") UUID partner);

    @POST
    @Path("/{p}/members")
    PartnerMember addMember(@PathParam("p") UUID partner, NewPartnerMember member);

    @DELETE
    @Path("/{p}/members/{m}")
    void removeMember(@PathParam("p") UUID partner, @PathParam("m") UUID member);

    @GET
    @Path("/{p}/audit-events")
    PartnerAuditPage audit(@PathParam("p") UUID partner, @QueryParam("limit") int limit,
            @QueryParam("before") String before);

    @GET
    @Path("/{p}/statements")
    Statements statements(@PathParam("p") UUID partner);

    @GET
    @Path("/{p}/statements/{id}")
    Statement statement(@PathParam("p") UUID partner, @PathParam("id") UUID statement);

    @GET
    @Path("/{p}/statements/{id}.pdf")
    @Produces("application/pdf")
    byte[] statementPdf(@PathParam("p") UUID partner, @PathParam("id") UUID statement);
}
