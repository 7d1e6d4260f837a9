package dev.meridian.billing.access;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.tenant.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Decides whose billing a request may read. Two kinds of caller:
 * <ul>
 *   <li>a program with an API key, through a gateway: the gateway's service token with {@code X-Meridian-Tenant-Id}
 *       and {@code X-Meridian-Scopes}, which must hold {@code billing:read};</li>
 *   <li>a console user: their Keycloak token and {@code ?tenant_id=}; tenancy must say they are an active member
 *       with role owner, admin or billing. A non-member gets 404, as for a tenant that does not exist.</li>
 * </ul>
 * Operators (realm role {@code platform-admin}) may read any tenant.
 */
@RequestScoped
public class BillingAccess {

    /** Gateways' service accounts: quota leases and API-key billing reads come only from them. */
    public static final String SERVICE = "service-gateway";
    /** The regional models services' account: tenant exports read a tenant's usage and invoices. */
    public static final String MODELS_SERVICE = "service-models";
    public static final String PLATFORM_ADMIN = "platform-admin";
    private static final Set<String> READER_ROLES = Set.of("owner", "admin", "billing");

    @Inject
    SecurityIdentity identity;
    @Inject
    HttpHeaders headers;
    @Inject
    TenancyClient tenancy;

    private String homeRegion;
    private Optional<Caller> caller;

    /** The tenant this request reads, or an error saying why it may not. */
    public UUID readableTenant(UUID requested) {
        var forwarded = identity.hasRole(SERVICE) ? caller() : Optional.<Caller>empty();
        if (forwarded.isPresent()) {
            UUID tenant = forwarded.get().tenantId();
            if (!forwarded.get().has(Scope.BILLING_READ)) {
                throw ApiException.forbidden("This API key lacks the billing:read scope. Create a key with scope"
                        + " billing:read to read usage and invoices.");
            }
            if (requested != null && !requested.equals(tenant)) {
                throw notFound(requested);
            }
            return tenant;
        }
        if (requested == null) {
            throw ApiException.invalidField("tenant_id", "name the tenant whose billing you want to read, e.g."
                    + " ?tenant_id=<tenant id> (API keys imply their tenant)");
        }
        if (identity.hasRole(PLATFORM_ADMIN)) {
            return requested;
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        var membership = tenancy.membership(jwt.getRawToken(), requested).orElseThrow(() -> notFound(requested));
        homeRegion = membership.homeRegion();
        if (!READER_ROLES.contains(membership.role())) {
            throw ApiException.forbidden("Your role in this tenant is '" + membership.role() + "'; reading billing"
                    + " needs owner, admin or billing. Ask an owner of the tenant to change your role.");
        }
        return requested;
    }

    /** The tenant whose budgets this request may change: console members with role owner or admin, or operators. */
    public UUID managedTenant(UUID requested) {
        if (requested == null) {
            throw ApiException.invalidField("tenant_id", "name the tenant, e.g. ?tenant_id=<tenant id>");
        }
        if (identity.hasRole(PLATFORM_ADMIN)) {
            return requested;
        }
        if (caller().isPresent() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw ApiException.forbidden("Budgets are changed by a tenant's owners and admins in the console (a"
                    + " Keycloak token), not with an API key.");
        }
        var membership = tenancy.membership(jwt.getRawToken(), requested).orElseThrow(() -> notFound(requested));
        homeRegion = membership.homeRegion();
        if (!Set.of("owner", "admin").contains(membership.role())) {
            throw ApiException.forbidden("Your role in this tenant is '" + membership.role() + "'; changing budgets"
                    + " needs owner or admin.");
        }
        return requested;
    }

    /**
     * The tenant whose billing details this request may change: console members with role owner, admin or billing
     * (who look after the invoices), or operators. API keys never change them.
     */
    public UUID detailsEditor(UUID requested) {
        if (identity.hasRole(SERVICE) && caller().isPresent()) {
            throw ApiException.forbidden("Billing details are changed by a tenant's owners, admins and billing"
                    + " members in the console (a Keycloak token), not with an API key.");
        }
        if (requested == null) {
            throw ApiException.invalidField("tenant_id", "name the tenant, e.g. ?tenant_id=<tenant id>");
        }
        if (identity.hasRole(PLATFORM_ADMIN)) {
            return requested;
        }
        if (caller().isPresent() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw ApiException.forbidden("Billing details are changed by a tenant's owners, admins and billing"
                    + " members in the console (a Keycloak token), not with an API key.");
        }
        var membership = tenancy.membership(jwt.getRawToken(), requested).orElseThrow(() -> notFound(requested));
        homeRegion = membership.homeRegion();
        if (!READER_ROLES.contains(membership.role())) {
            throw ApiException.forbidden("Your role in this tenant is '" + membership.role() + "'; changing billing"
                    + " details needs owner, admin or billing. Ask an owner of the tenant to change your role.");
        }
        return requested;
    }

    /**
     * The region billing opens a new account in: the tenant's home region as tenancy told it for a console user, or
     * the forwarding gateway's region (a key's calls are served in its tenant's home region).
     */
    public String region() {
        return homeRegion != null ? homeRegion : caller().flatMap(Caller::region).orElse(null);
    }

    public String actor() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public static ApiException notFound(UUID tenantId) {
        return ApiException.notFound("No billing account " + tenantId + " that you may read.");
    }

    /** The API key's caller a gateway asserted, if the request came through one. */
    private Optional<Caller> caller() {
        if (caller == null) {
            caller = Caller.from(headers);
        }
        return caller;
    }
}
