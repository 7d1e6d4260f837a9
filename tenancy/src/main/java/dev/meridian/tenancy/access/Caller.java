package dev.meridian.tenancy.access;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The signed-in person (or service) making a request, from their Keycloak token. */
public record Caller(String userId, String email, boolean emailVerified, boolean platformAdmin, UUID partnerId) {

    /** The claim a partner credential's tokens carry (a hardcoded-claim mapper on its Keycloak client). */
    public static final String PARTNER_CLAIM = "partner_id";

    public Caller(String userId, String email, boolean emailVerified, boolean platformAdmin) {
        this(userId, email, emailVerified, platformAdmin, null);
    }

    /** A partner's credential: acts for the tenants the partner owns, never as a member. */
    public boolean isPartner() {
        return partnerId != null;
    }


    public static final String PLATFORM_ADMIN = "platform-admin";
    /**
     * The realm role of the gateways' service account. Each Meridian service has its own role
     * ({@code service-<name>}), so a service's credentials open only the APIs meant for it.
     */
    public static final String GATEWAY_SERVICE = "service-gateway";
    /**
     * The realm role of the regional models services' account: tenant exports read a tenant's records here and record
     * the export in its audit log.
     */
    public static final String MODELS_SERVICE = "service-models";

    public static Caller of(SecurityIdentity identity) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new IllegalStateException("no signed-in caller");
        }
        Object verified = jwt.getClaim("email_verified");
        Object partner = jwt.getClaim(PARTNER_CLAIM);
        UUID partnerId = null;
        if (partner != null) {
            try {
                partnerId = UUID.fromString(partner.toString().replace("\"", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("a token whose partner_id claim is not a partner id");
            }
        }
        return new Caller(jwt.getSubject(), jwt.getClaim("email"),
                verified != null && Boolean.parseBoolean(verified.toString()),
                identity.hasRole(PLATFORM_ADMIN), partnerId);
    }
}
