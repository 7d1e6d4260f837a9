package dev.meridian.inference.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens this service has already verified, by their exact text, each until it expires.
 *
 * <p>Only the region's gateways call this service, and each sends one client-credentials token until it nearly
 * expires, so verifying its RSA signature again on every request was the largest cost on the request path (a JFR
 * profile, docs/benchmarks.md). quarkus-oidc caches introspection and UserInfo answers, not local JWT checks, and
 * quarkus-cache has no per-entry expiry, hence this map. Remembering a verified token until its {@code exp} accepts
 * nothing quarkus-oidc would refuse: it checks the signature, issuer, audience and expiry of a JWT locally and never
 * asks Keycloak whether a token was revoked, so the answer for the same text cannot change before {@code exp}. A
 * different text (another token, or one byte changed) is a miss and is verified in full.
 */
@ApplicationScoped
public class VerifiedTokens {

    /** Tokens remembered at most; a few gateway replicas need a handful, so a flood of distinct tokens stops here. */
    static final int MAX_TOKENS = 1024;
    /** Set on an identity taken from here, so it is not remembered again. */
    static final String REMEMBERED = "meridian.verified-token.remembered";
    /** Attributes that belong to the request that verified the token, set anew for each request. */
    private static final String REQUEST_CONTEXT = AuthenticationRequestContext.class.getName();

    private record Entry(SecurityIdentity identity, Instant expires) {
    }

    private final Map<String, Entry> byToken = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int max;

    VerifiedTokens() {
        this(Clock.systemUTC(), MAX_TOKENS);
    }

    VerifiedTokens(Clock clock, int max) {
        this.clock = clock;
        this.max = max;
    }

    /**
     * The identity verified earlier for exactly this token, for the request {@code attributes} describe (their routing
     * context replaces the one of the request that verified it); empty when unknown or expired.
     */
    public Optional<SecurityIdentity> find(String token, Map<String, Object> attributes,
            AuthenticationRequestContext context) {
        Entry e = byToken.get(token);
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.expires())) {
            byToken.remove(token, e);
            return Optional.empty();
        }
        var identity = QuarkusSecurityIdentity.builder(e.identity()).addAttribute(REMEMBERED, Boolean.TRUE)
                .addAttribute(REQUEST_CONTEXT, context);
        Object routing = attributes.get(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE);
        if (routing != null) {
            identity.addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, routing);
        }
        return Optional.of(identity.build());
    }

    /**
     * Remembers {@code identity}, verified for {@code token}, until {@code expires}; without the attributes of the
     * request that verified it. Does nothing for a token already expired, or when full of unexpired tokens.
     */
    public void remember(String token, SecurityIdentity identity, Instant expires) {
        Instant now = clock.instant();
        if (!now.isBefore(expires)) {
            return;
        }
        if (byToken.size() >= max) {
            byToken.values().removeIf(e -> !now.isBefore(e.expires()));
            if (byToken.size() >= max) {
                return;
            }
        }
        Map<String, Object> lasting = new HashMap<>(identity.getAttributes());
        lasting.remove(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE);
        lasting.remove(REQUEST_CONTEXT);
        lasting.remove(REMEMBERED);
        var kept = QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles()).addCredentials(identity.getCredentials()).addAttributes(lasting)
                .addPermissionChecker(identity::checkPermission).build();
        byToken.put(token, new Entry(kept, expires));
    }

    /** Tokens remembered now, expired ones not yet dropped included. */
    int size() {
        return byToken.size();
    }
}
