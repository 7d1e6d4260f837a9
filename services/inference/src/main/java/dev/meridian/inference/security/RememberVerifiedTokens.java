package dev.meridian.inference.security;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Puts each access token quarkus-oidc has just verified into {@link VerifiedTokens}, until the {@code exp} of the
 * token it verified. Runs after every other augmentor, so what is remembered is the identity as the request saw it.
 */
@ApplicationScoped
public class RememberVerifiedTokens implements SecurityIdentityAugmentor {

    @Inject
    VerifiedTokens tokens;

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!identity.isAnonymous() && identity.getAttribute(VerifiedTokens.REMEMBERED) == null
                && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            var credential = identity.getCredential(AccessTokenCredential.class);
            // only the token quarkus-oidc verified: the principal is made from it
            if (credential != null && credential.getToken() != null && credential.getToken().equals(jwt.getRawToken())) {
                tokens.remember(credential.getToken(), identity, Instant.ofEpochSecond(jwt.getExpirationTime()));
            }
        }
        return Uni.createFrom().item(identity);
    }
}
