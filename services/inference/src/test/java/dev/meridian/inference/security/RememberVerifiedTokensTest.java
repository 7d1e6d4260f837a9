package dev.meridian.inference.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.SettableClock;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** What quarkus-oidc verified is remembered by the augmentor and answered by the provider, and nothing else. */
class RememberVerifiedTokensTest {

    static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    final VerifiedTokens tokens = new VerifiedTokens(new SettableClock(NOW), 16);
    final RememberVerifiedTokens augmentor = new RememberVerifiedTokens();
    final VerifiedTokenIdentities provider = new VerifiedTokenIdentities();

    RememberVerifiedTokensTest() {
        augmentor.tokens = tokens;
        provider.tokens = tokens;
    }

    static JsonWebToken jwt(String raw, long exp) {
        Map<String, Object> claims = Map.of(Claims.raw_token.name(), raw, Claims.exp.name(), exp,
                Claims.sub.name(), "service-account-meridian-gateway");
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "service-account-meridian-gateway";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
    }

    static SecurityIdentity verifiedByOidc(String presented, JsonWebToken principal) {
        return QuarkusSecurityIdentity.builder().setPrincipal(principal).addRole("service-gateway")
                .addCredential(new AccessTokenCredential(presented)).build();
    }

    SecurityIdentity provide(String token) {
        return provider.authenticate(new TokenAuthenticationRequest(new AccessTokenCredential(token)), null)
                .await().indefinitely();
    }

    @Test
    void aTokenQuarkusOidcVerifiedIsAnsweredByTheProviderUntilItsExp() {
        long exp = NOW.plusSeconds(300).getEpochSecond();
        assertThat(provide("a.b.c")).isNull(); // unknown: quarkus-oidc's provider is asked next

        augmentor.augment(verifiedByOidc("a.b.c", jwt("a.b.c", exp)), null).await().indefinitely();

        SecurityIdentity again = provide("a.b.c");
        assertThat(again).isNotNull();
        assertThat(again.getRoles()).containsExactly("service-gateway");
        assertThat(again.getPrincipal().getName()).isEqualTo("service-account-meridian-gateway");
        assertThat(provide("a.b.d")).isNull();
    }

    @Test
    void onlyTheTokenThePrincipalWasMadeFromIsRemembered() {
        long exp = NOW.plusSeconds(300).getEpochSecond();
        augmentor.augment(verifiedByOidc("x.y.z", jwt("a.b.c", exp)), null).await().indefinitely();
        augmentor.augment(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("basic"))
                .addCredential(new AccessTokenCredential("p.q.r")).build(), null).await().indefinitely();
        augmentor.augment(verifiedByOidc("e.f.g", jwt("e.f.g", 0)), null).await().indefinitely(); // no exp

        assertThat(provide("x.y.z")).isNull();
        assertThat(provide("a.b.c")).isNull();
        assertThat(provide("p.q.r")).isNull();
        assertThat(provide("e.f.g")).isNull();
        assertThat(tokens.size()).isZero();
    }
}
