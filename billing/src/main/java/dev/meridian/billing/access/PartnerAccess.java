package dev.meridian.billing.access;

import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.Caller;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Decides whether a request may act for a partner on billing's partner routes ({@code /api/v1/partners/{p}/...}).
 * Tenancy decides, asked with the caller's own token ({@link TenancyClient#partnerStanding}): a partner credential,
 * or a member of the partner. Anyone else gets 404, as for a partner that does not exist. Operators (realm role
 * {@code platform-admin}) may act for every partner. API keys belong to tenants and never act for partners.
 */
@RequestScoped
public class PartnerAccess {

    /** Partner members who may read but not change (plans). */
    static final String PARTNER_SUPPORT = "partner-support";

    @Inject
    SecurityIdentity identity;
    @Inject
    HttpHeaders headers;
    @Inject
    TenancyClient tenancy;

    /** The partner this request may read: its statements. */
    public UUID readablePartner(UUID partnerId) {
        standing(partnerId);
        return partnerId;
    }

    /** The partner for which this request may change its tenants' plans: a credential or a partner-admin. */
    public UUID managingPartner(UUID partnerId) {
        var standing = standing(partnerId);
        if (standing != null && standing.role().filter(PARTNER_SUPPORT::equals).isPresent()) {
            throw ApiException.forbidden("Your role in partner " + partnerId + " is partner-support, which may read"
                    + " but not change its tenants' plans. Ask a partner-admin, or use a partner credential.");
        }
        return partnerId;
    }

    public String actor() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public static ApiException notFound(UUID partnerId) {
        return ApiException.notFound("No partner " + partnerId + " that you may act for.");
    }

    /** Tenancy's word on the caller and the partner (null for an operator), or 404. */
    private TenancyClient.PartnerStanding standing(UUID partnerId) {
        if (partnerId == null) {
            throw ApiException.badRequest("Name the partner in the path: /api/v1/partners/<partner id>/...");
        }
        if (Caller.from(headers).isPresent()) {
            throw ApiException.forbidden("Partner routes take a partner credential's or a partner member's token, not"
                    + " a tenant's API key.");
        }
        if (identity.hasRole(BillingAccess.PLATFORM_ADMIN)) {
            return null;
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new UnauthorizedException();
        }
        return tenancy.partnerStanding(jwt.getRawToken(), partnerId).orElseThrow(() -> notFound(partnerId));
    }
}
