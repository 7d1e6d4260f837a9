package dev.meridian.tenancy.access;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The signed-in person (or service) making a request, from their Keycloak token. */
public record Caller(String userId, String email, boolean emailVerified, boolean platformAdmin) {

    public static final String PLATFORM_ADMIN = "platform-admin";
    /**
     * The realm role of the gateways' service account. Each Meridian service has its own role
     * ({@code service-<name>}), so a service's credentials open only the APIs meant for it.
     */
    public static final String GATEWAY_SERVICE = "service-gateway";

    public static Caller of(SecurityIdentity identity) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new IllegalStateException("no signed-in caller");
        }
        Object verified = jwt.getClaim("email_verified");
        return new Caller(jwt.getSubject(), jwt.getClaim("email"),
                verified != null && Boolean.parseBoolean(verified.toString()),
                identity.hasRole(PLATFORM_ADMIN));
    }
}
