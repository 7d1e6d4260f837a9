package dev.meridian.inference.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Answers a bearer token seen before from {@link VerifiedTokens}; for any other token it answers nothing, and Quarkus
 * goes on to quarkus-oidc's provider, which verifies it (providers of one request type are tried from the highest
 * priority down until one returns an identity).
 */
@ApplicationScoped
public class VerifiedTokenIdentities implements IdentityProvider<TokenAuthenticationRequest> {

    @Inject
    VerifiedTokens tokens;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return 100; // before quarkus-oidc's provider (0)
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return Uni.createFrom().item(tokens.find(request.getToken().getToken(), request.getAttributes(), context)
                .orElse(null));
    }
}
