package dev.meridian.inference.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.SettableClock;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

    static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    static final AuthenticationRequestContext CONTEXT = null; // not used by the store beyond being copied

    final SettableClock clock = new SettableClock(NOW);
    final VerifiedTokens tokens = new VerifiedTokens(clock, 2);

    static SecurityIdentity verified(String name, Object routingContext) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name)).addRole("service-gateway")
                .addAttribute("tenant-id", "Default")
                .addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, routingContext).build();
    }

    static Map<String, Object> request(Object routingContext) {
        return Map.of(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, routingContext);
    }

    @Test
    void aTokenSeenBeforeGivesItsIdentityForTheNewRequestNotTheOneThatVerifiedIt() {
        tokens.remember("token-a", verified("gateway-eu", "request-1"), NOW.plusSeconds(300));

        SecurityIdentity again = tokens.find("token-a", request("request-2"), CONTEXT).orElseThrow();

        assertThat(again.getPrincipal().getName()).isEqualTo("gateway-eu");
        assertThat(again.getRoles()).containsExactly("service-gateway");
        assertThat((String) again.getAttribute("tenant-id")).isEqualTo("Default");
        assertThat((String) again.getAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE)).isEqualTo("request-2");
        assertThat((Boolean) again.getAttribute(VerifiedTokens.REMEMBERED)).isTrue();
    }

    @Test
    void anyOtherTextIsVerifiedInFull() {
        tokens.remember("header.payload.signature", verified("gateway-eu", "r1"), NOW.plusSeconds(300));

        assertThat(tokens.find("header.payload.signaturf", request("r2"), CONTEXT)).isEmpty();
        assertThat(tokens.find("header.payload.signature ", request("r2"), CONTEXT)).isEmpty();
        assertThat(tokens.find("", request("r2"), CONTEXT)).isEmpty();
    }

    @Test
    void aTokenIsKnownUntilTheSecondItExpiresAndNotAfter() {
        tokens.remember("token-a", verified("gateway-eu", "r1"), NOW.plusSeconds(60));

        clock.advance(Duration.ofSeconds(59));
        assertThat(tokens.find("token-a", request("r2"), CONTEXT)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.find("token-a", request("r3"), CONTEXT)).isEmpty();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void anExpiredTokenIsNeverRemembered() {
        tokens.remember("token-a", verified("gateway-eu", "r1"), NOW);
        tokens.remember("token-b", verified("gateway-eu", "r1"), NOW.minusSeconds(1));

        assertThat(tokens.size()).isZero();
    }

    @Test
    void whenFullOfLiveTokensANewOneIsVerifiedEachTimeAndExpiredOnesMakeRoom() {
        tokens.remember("token-a", verified("a", "r1"), NOW.plusSeconds(30));
        tokens.remember("token-b", verified("b", "r1"), NOW.plusSeconds(600));
        tokens.remember("token-c", verified("c", "r1"), NOW.plusSeconds(600));

        assertThat(tokens.find("token-c", request("r2"), CONTEXT)).isEmpty();
        assertThat(tokens.find("token-b", request("r2"), CONTEXT)).isPresent();

        clock.advance(Duration.ofSeconds(30)); // token-a expires
        tokens.remember("token-c", verified("c", "r1"), NOW.plusSeconds(600));

        assertThat(tokens.find("token-c", request("r3"), CONTEXT)).isPresent();
        assertThat(tokens.size()).isEqualTo(2);
    }
}
