package dev.meridian.common.auth;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.TokensHelper;
import io.smallrye.mutiny.Uni;

/**
 * A service's own client-credentials token for calling other Meridian services, from Quarkus's OIDC client (the
 * client that {@code quarkus.oidc-client.*} configures). Fetched on first use and reused; a new one is fetched once it
 * is within {@code quarkus.oidc-client.refresh-token-time-skew} of expiring, and concurrent callers share one fetch.
 * One instance per service (a CDI producer there), so that all its calls share one token.
 */
public class ServiceToken {

    private final OidcClient client;
    private final TokensHelper tokens = new TokensHelper();

    public ServiceToken(OidcClient client) {
        this.client = client;
    }

    /** The access token; fails when Keycloak cannot be reached or refuses the client's credentials. */
    public Uni<String> get() {
        return tokens.getTokens(client).map(Tokens::getAccessToken);
    }
}
