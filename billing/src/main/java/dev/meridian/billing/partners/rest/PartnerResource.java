package dev.meridian.billing.partners.rest;

import dev.meridian.billing.Account;
import dev.meridian.billing.access.PartnerAccess;
import dev.meridian.billing.access.TenancyClient.OwnedTenant;
import dev.meridian.billing.access.TenancyClient.Partner;
import dev.meridian.billing.accounts.Accounts;
import dev.meridian.billing.partners.service.PartnerStatements;
import dev.meridian.billing.partners.service.PartnerStatements.StatementView;
import dev.meridian.billing.partners.service.StatementDocument;
import dev.meridian.common.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A partner's billing: its statements, and the plans of the tenants it owns. For partner credentials and partner
 * members (tenancy says who may act for the partner) and operators; anyone else gets 404.
 */
@Path("/api/v1/partners/{partnerId}")
@Authenticated
@Tag(name = "Partner billing")
public class PartnerResource {

    public record StatementList(String object, List<StatementView> data) {
    }

    public record PlanRequest(String plan) {
    }

    public record TenantPlan(String object, UUID partnerId, UUID tenantId, String plan, String region) {
    }

    @Inject
    PartnerAccess access;
    @Inject
    PartnerStatements statements;
    @Inject
    Accounts accounts;

    @GET
    @Path("/statements")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The partner's final statements, newest period first, one per period and currency;"
            + " ?period=2026-11 for one month's")
    public StatementList list(@PathParam("partnerId") UUID partnerId, @QueryParam("period") String period) {
        Optional<YearMonth> month = period == null ? Optional.empty() : Optional.of(month(period));
        return new StatementList("list", statements.list(access.readablePartner(partnerId), month));
    }

    @GET
    @Path("/statements/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One statement with its lines, one per owned tenant")
    public StatementView get(@PathParam("partnerId") UUID partnerId, @PathParam("id") UUID id) {
        return statements.get(access.readablePartner(partnerId), id);
    }

    @GET
    @Path("/statements/{id}.html")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One statement as an HTML document")
    public String html(@PathParam("partnerId") UUID partnerId, @PathParam("id") UUID id) {
        return StatementDocument.html(statements.get(access.readablePartner(partnerId), id));
    }

    @GET
    @Path("/statements/{id}.pdf")
    @Produces("application/pdf")
    @Operation(summary = "One statement as a PDF document")
    public byte[] pdf(@PathParam("partnerId") UUID partnerId, @PathParam("id") UUID id) {
        return StatementDocument.pdf(statements.get(access.readablePartner(partnerId), id));
    }

    @PUT
    @Path("/tenants/{tenantId}/plan")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Puts a tenant the partner owns on a plan of the partner's price list, from now on; published"
            + " on billing.plans as an operator's change is, so tenancy and the gateways follow")
    public TenantPlan plan(@PathParam("partnerId") UUID partnerId, @PathParam("tenantId") UUID tenantId,
            PlanRequest request) {
        access.managingPartner(partnerId);
        Partner partner = statements.partner(partnerId);
        OwnedTenant tenant = partner.owned(tenantId).orElseThrow(() -> ApiException.notFound("No tenant " + tenantId
                + " owned by partner " + partnerId + "."));
        List<String> allowed = partner.plans().stream().filter(Account.PLANS::contains).sorted().toList();
        if (request == null || request.plan() == null || !allowed.contains(request.plan())) {
            throw ApiException.invalidField("plan", allowed.isEmpty()
                    ? "partner " + partnerId + "'s price list has no plan; ask Meridian to set one"
                    : "use a plan of partner " + partnerId + "'s price list: " + String.join(", ", allowed));
        }
        Account account = QuarkusTransaction.requiringNew().call(() ->
                accounts.changePlan(tenantId, tenant.homeRegion(), request.plan(), Map.of()));
        return new TenantPlan("tenant.plan", partnerId, tenantId, account.plan, account.region);
    }

    static YearMonth month(String period) {
        try {
            return YearMonth.parse(period);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField("period", "'" + period + "' is not a month; write e.g. \"2026-11\"");
        }
    }
}
