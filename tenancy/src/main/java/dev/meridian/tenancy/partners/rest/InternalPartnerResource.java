package dev.meridian.tenancy.partners.rest;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Partner;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.partners.service.PartnerService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * For billing only (realm role {@code service-billing}): every partner's programme terms, price list and the tenants
 * it owns, from which billing closes partner statements and checks a partner's plan changes. Tenants that merely
 * granted a partner access are not listed: they earn the partner nothing.
 */
@Path("/internal/v1/partners")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(InternalPartnerResource.BILLING_SERVICE)
@Tag(name = "Internal")
public class InternalPartnerResource {

    public static final String BILLING_SERVICE = "service-billing";

    public record OwnedTenant(UUID id, String name, String homeRegion) {
    }

    public record PartnerTerms(UUID id, String object, String name, String programme, Integer shareBp,
            Map<String, Integer> shareBpByPlan, Map<String, Integer> shareBpByMeter, Integer discountBp,
            List<String> plans, List<OwnedTenant> tenants) {
    }

    public record PartnerTermsList(String object, List<PartnerTerms> data) {
    }

    @Inject
    PartnerService partners;

    @GET
    @Operation(summary = "Every partner with its terms, price list and owned tenants")
    public PartnerTermsList list() {
        return new PartnerTermsList("list", partners.allForBilling().stream()
                .map(o -> terms(o.partner(), o.tenants())).toList());
    }

    @GET
    @Path("/{partnerId}")
    @Operation(summary = "One partner with its terms, price list and owned tenants (404 if none)")
    public PartnerTerms get(@PathParam("partnerId") UUID partnerId) {
        return partners.allForBilling().stream().filter(o -> o.partner().id.equals(partnerId)).findFirst()
                .map(o -> terms(o.partner(), o.tenants()))
                .orElseThrow(() -> ApiException.notFound("No partner " + partnerId + "."));
    }

    private static PartnerTerms terms(Partner p, List<Tenant> owned) {
        return new PartnerTerms(p.id, "partner", p.name, p.programme, p.shareBp, p.shareBpByPlan, p.shareBpByMeter,
                p.discountBp, List.of(p.plans), owned.stream().map(t -> new OwnedTenant(t.id, t.name, t.homeRegion))
                        .toList());
    }
}
