package dev.meridian.billing.access;

import dev.meridian.common.auth.ServiceToken;
import io.quarkus.oidc.client.OidcClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Billing's one client-credentials token (client {@code meridian-billing}, {@code quarkus.oidc-client.*}) for its
 * calls to gateways (reconciliation) and tenancy's internal partner directory.
 */
public class ServiceTokens {

    @Produces
    @Singleton
    ServiceToken serviceToken(OidcClient client) {
        return new ServiceToken(client);
    }
}
