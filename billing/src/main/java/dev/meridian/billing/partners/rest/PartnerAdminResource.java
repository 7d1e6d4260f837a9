package dev.meridian.billing.partners.rest;

import dev.meridian.billing.access.BillingAccess;
import dev.meridian.billing.access.PartnerAccess;
import dev.meridian.billing.partners.rest.PartnerResource.StatementList;
import dev.meridian.billing.partners.service.PartnerStatements;
import dev.meridian.common.error.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' partner routes (realm role {@code platform-admin}): closing a partner's statements on demand. */
@Path("/api/v1/billing/admin/partners/{partnerId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(BillingAccess.PLATFORM_ADMIN)
@Tag(name = "Billing admin")
public class PartnerAdminResource {

    public record CloseRequest(String period) {
    }

    @Inject
    PartnerStatements statements;
    @Inject
    PartnerAccess access;

    @POST
    @Path("/statements/close")
    @Operation(summary = "Closes the partner's statements of a closed month (e.g. {\"period\":\"2026-11\"}), one per"
            + " currency, after finalizing its owned tenants' invoices of that month; idempotent")
    public StatementList close(@PathParam("partnerId") UUID partnerId, CloseRequest request) {
        if (request == null || request.period() == null) {
            throw ApiException.invalidField("period", "name the month, e.g. \"2026-11\"");
        }
        var month = PartnerResource.month(request.period());
        return new StatementList("list", statements.close(statements.partner(partnerId), month, access.actor()));
    }
}
