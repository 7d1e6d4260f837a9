package dev.meridian.tenancy.apikeys.service;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The rules a key request must follow: known scopes that are still issued and that the caller's role may grant, an
 * expiry in the future, a bounded rotation grace.
 */
public final class KeyTerms {

    /** The longest an old key may keep working after a rotation. */
    public static final Duration MAX_GRACE = Duration.ofDays(7);

    /**
     * Scopes that are no longer put on keys. {@code admin} never opened anything: no gateway route asks for it, and
     * billing reads need {@code billing:read}; a key may still carry it from before, and loses it when rotated.
     */
    static final List<Scope> RETIRED = List.of(Scope.ADMIN);

    private KeyTerms() {
    }

    /** The scopes in their wire names, without repeats, in the order given; 400 naming a bad one and the valid ones. */
    public static List<String> scopes(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.invalidField("scopes", "give at least one scope: " + issuable());
        }
        var scopes = new LinkedHashSet<String>();
        for (String s : requested) {
            Scope scope = Scope.fromWireName(s).orElseThrow(() -> ApiException.invalidField("scopes",
                    "unknown scope '" + s + "'; use any of " + issuable()));
            if (RETIRED.contains(scope)) {
                throw ApiException.invalidField("scopes", "scope '" + s + "' is no longer issued: it never granted"
                        + " anything (no API checks it). Leave it out; use any of " + issuable());
            }
            scopes.add(scope.wireName());
        }
        return List.copyOf(scopes);
    }

    /** 403 naming the first scope that {@code role} may not put on a key, and the scopes it may. */
    public static void requireGrantable(Role role, Collection<String> scopes) {
        for (String s : scopes) {
            Scope scope = Scope.fromWireName(s).orElseThrow();
            if (!role.mayGrant(scope)) {
                throw ApiException.forbidden("Your role in this tenant is '" + role.wireName() + "', which may not"
                        + " put scope '" + s + "' on a key: a key carries only scopes its creator's role may use ("
                        + role.wireName() + ": " + grantable(role) + "). Ask an owner or admin of the tenant.");
            }
        }
    }

    /** The scopes {@code role} may put on a key, in wire names ("none" when it may put none). */
    static String grantable(Role role) {
        return role.keyScopes().isEmpty() ? "none"
                : role.keyScopes().stream().map(Scope::wireName).collect(Collectors.joining(", "));
    }

    /** The scopes a new key may carry, in wire names. */
    static String issuable() {
        return Arrays.stream(Scope.values()).filter(s -> !RETIRED.contains(s)).map(Scope::wireName)
                .collect(Collectors.joining(", "));
    }

    /** No expiry, or one after {@code now}. */
    public static Instant expiry(Instant expiresAt, Instant now) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ApiException.invalidField("expires_at", "must be in the future (got " + expiresAt + ", now is "
                    + now + "); leave it out for a key that does not expire");
        }
        return StoredTime.of(expiresAt);
    }

    /** How long the replaced key keeps working: 0 (stops now) up to {@link #MAX_GRACE}. */
    public static Duration grace(Long graceSeconds) {
        long seconds = graceSeconds == null ? 0 : graceSeconds;
        if (seconds < 0 || seconds > MAX_GRACE.toSeconds()) {
            throw ApiException.invalidField("grace_seconds", "must be between 0 and " + MAX_GRACE.toSeconds()
                    + " (7 days); got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
