package dev.meridian.tenancy.apikeys.service;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.StoredTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;

/** The rules a key request must follow: known scopes, an expiry in the future, a bounded rotation grace. */
public final class KeyTerms {

    /** The longest an old key may keep working after a rotation. */
    public static final Duration MAX_GRACE = Duration.ofDays(7);

    private KeyTerms() {
    }

    /** The scopes in their wire names, without repeats, in the order given; 400 naming a bad one and the valid ones. */
    public static List<String> scopes(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.invalidField("scopes", "give at least one scope: " + Scope.wireNames());
        }
        var scopes = new LinkedHashSet<String>();
        for (String s : requested) {
            Scope scope = Scope.fromWireName(s).orElseThrow(() -> ApiException.invalidField("scopes",
                    "unknown scope '" + s + "'; use any of " + Scope.wireNames()));
            scopes.add(scope.wireName());
        }
        return List.copyOf(scopes);
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
