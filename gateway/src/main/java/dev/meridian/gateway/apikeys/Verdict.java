package dev.meridian.gateway.apikeys;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.error.OpenAiError;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Whether a presented key may be used now, and if not, the error the caller gets. */
public record Verdict(KeyRecord key, int status, OpenAiError error) {

    public boolean allowed() {
        return error == null;
    }

    public static Verdict of(String presentedKey, Optional<KeyRecord> found, Instant now) {
        if (found.isEmpty() || !ApiKeySecret.matches(presentedKey, found.get().hash())) {
            return invalid(presentedKey);
        }
        KeyRecord k = found.get();
        if (k.revokedAt() != null && !k.revokedAt().isAfter(now)) {
            return new Verdict(k, 401, OpenAiError.of("invalid_request_error", "api_key_revoked",
                    "The API key " + ApiKeySecret.redact(presentedKey) + " was revoked. Use a current key or create"
                            + " one in the console."));
        }
        if (k.expiresAt() != null && !k.expiresAt().isAfter(now)) {
            return new Verdict(k, 401, OpenAiError.of("invalid_request_error", "api_key_expired",
                    "The API key " + ApiKeySecret.redact(presentedKey) + " expired at " + k.expiresAt()
                            + ". Create a new key or rotate this one."));
        }
        if (!"active".equals(k.tenantStatus())) {
            return inactive(k);
        }
        return new Verdict(k, 200, null);
    }

    /**
     * A signed-in user calling for a tenant (the console does): they must be an active member of it, and it must be
     * active. Not a member and no such tenant read the same, so a tenant id reveals nothing.
     */
    public static Verdict ofMember(UUID tenant, Optional<KeyRecord> found) {
        if (found.isEmpty()) {
            return new Verdict(null, 403, OpenAiError.of("permission_error", "not_a_member", "You are not an active"
                    + " member of the organization " + tenant + " named in the OpenAI-Organization header, or it"
                    + " does not exist. GET /api/v1/tenants lists the tenants you belong to."));
        }
        if (!"active".equals(found.get().tenantStatus())) {
            return inactive(found.get());
        }
        return new Verdict(found.get(), 200, null);
    }

    /** 403 for a tenant that is not active: suspended by an operator, or closed by its owner. */
    private static Verdict inactive(KeyRecord k) {
        if ("closing".equals(k.tenantStatus()) || "erased".equals(k.tenantStatus())) {
            return new Verdict(k, 403, OpenAiError.of("permission_error", "tenant_closed", "Your organization was"
                    + " closed by its owner and serves no calls; its data is erased after the grace period. An"
                    + " owner can cancel the closure in the console (DELETE /api/v1/tenants/" + k.tenantId()
                    + "/closure)."));
        }
        return new Verdict(k, 403, OpenAiError.of("permission_error", "tenant_suspended",
                "Your organization is suspended. Contact Meridian support or your account owner."));
    }

    /** A bearer token that is a JWT but not one Meridian's Keycloak issued for this API, or no longer valid. */
    public static Verdict invalidToken() {
        return new Verdict(null, 401, OpenAiError.of("invalid_request_error", "invalid_token", "The access token is"
                + " not valid (expired, or not issued by Meridian's Keycloak for audience meridian-api). Sign in"
                + " again, or call with an API key."));
    }

    public static Verdict missing() {
        return new Verdict(null, 401, OpenAiError.of("invalid_request_error", "missing_api_key",
                "You didn't provide an API key. Send it in an 'Authorization: Bearer mk_...' header; create keys in"
                        + " the console or with POST /api/v1/tenants/{id}/api-keys."));
    }

    /** The caller sent too many keys tenancy does not know; it gets no lookup until its budget refills. */
    public static Verdict tooManyUnknownKeys(int perSecond, int burst, long retryAfterSeconds) {
        return new Verdict(null, 429, OpenAiError.of("requests", "rate_limit_exceeded",
                "Too many requests from your address carried API keys that do not exist (at most " + perSecond
                        + " per second, burst " + burst + ", are checked). Check the key you send, or create one in"
                        + " the console or with POST /api/v1/tenants/{id}/api-keys; retry after " + retryAfterSeconds
                        + " s."));
    }

    /** The gateway is checking as many keys with tenancy as it may at once. */
    public static Verdict keyLookupsBusy() {
        return new Verdict(null, 503, OpenAiError.of("server_error", "service_unavailable",
                "Meridian is checking too many API keys at once just now and could not check yours. Retry in a"
                        + " second."));
    }

    public static Verdict invalid(String presentedKey) {
        return new Verdict(null, 401, OpenAiError.of("invalid_request_error", "invalid_api_key",
                "Incorrect API key provided: " + ApiKeySecret.redact(presentedKey) + ". Create a key in the console"
                        + " or with POST /api/v1/tenants/{id}/api-keys."));
    }
}
