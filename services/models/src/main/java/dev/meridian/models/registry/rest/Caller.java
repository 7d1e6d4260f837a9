package dev.meridian.models.registry.rest;

import dev.meridian.common.tenant.MeridianHeaders;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The tenant a call is for, as the gateway asserted it in {@code X-Meridian-*} headers (trusted only because the
 * call carries a service token, which the HTTP security checked).
 */
public record Caller(UUID tenantId, List<String> scopes) {

    public static Caller from(HttpHeaders headers, String region) {
        String tenant = headers.getHeaderString(MeridianHeaders.TENANT_ID);
        UUID tenantId;
        try {
            tenantId = UUID.fromString(tenant == null ? "" : tenant.strip());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(400, "missing_tenant", null, "Calls must come through a Meridian gateway,"
                    + " which names the tenant in " + MeridianHeaders.TENANT_ID + ".");
        }
        String home = headers.getHeaderString(MeridianHeaders.HOME_REGION);
        if (home == null || !home.equals(region)) {
            throw new RegistryException(421, "wrong_region", null, "This is the " + region + " model registry;"
                    + " model artifacts stay in the tenant's home region"
                    + (home == null ? "" : " (" + home + ")") + ". Call your home region's gateway.");
        }
        String scopes = headers.getHeaderString(MeridianHeaders.SCOPES);
        return new Caller(tenantId, scopes == null || scopes.isBlank() ? List.of()
                : Arrays.stream(scopes.split(",")).map(String::strip).toList());
    }

    /** Changes to models need the {@code models} scope; the gateway checks it too. */
    public Caller mayWrite() {
        if (!scopes.contains("models")) {
            throw new RegistryException(403, "insufficient_scope", null, "Changing models needs an API key with"
                    + " the scope models.");
        }
        return this;
    }
}
