package dev.meridian.gateway.apikeys;

import dev.meridian.common.auth.ServiceToken;
import io.quarkus.oidc.client.OidcClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The gateway's one client-credentials token (client {@code meridian-gateway}, {@code quarkus.oidc-client.*}) for its
 * calls to tenancy, billing, other regions' gateways and regional services.
 */
public class ServiceTokens {

    @Produces
    @Singleton
    ServiceToken serviceToken(OidcClient client) {
        return new ServiceToken(client);
    }
}
