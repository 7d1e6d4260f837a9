package dev.meridian.gateway.apikeys;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What tenancy's internal lookup says about a key (its hash, never the key itself). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyRecord(
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("tenant_id") UUID tenantId,
        String prefix,
        String hash,
        List<String> scopes,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("revoked_at") Instant revokedAt,
        @JsonProperty("tenant_status") String tenantStatus,
        @JsonProperty("home_region") String homeRegion,
        @JsonProperty("home_gateway_url") String homeGatewayUrl,
        @JsonProperty("transit_allowed") boolean transitAllowed,
        @JsonProperty("home_sovereign") boolean homeSovereign,
        String plan,
        @JsonProperty("rate_limit") RateLimit rateLimit,
        /* a signed-in member's role in the tenant (owner, admin...); null for a key */
        String role) {

    public KeyRecord {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    /** A record without a role: an API key's. */
    public KeyRecord(UUID keyId, UUID tenantId, String prefix, String hash, List<String> scopes, Instant expiresAt,
            Instant revokedAt, String tenantStatus, String homeRegion, String homeGatewayUrl, boolean transitAllowed,
            boolean homeSovereign, String plan, RateLimit rateLimit) {
        this(keyId, tenantId, prefix, hash, scopes, expiresAt, revokedAt, tenantStatus, homeRegion, homeGatewayUrl,
                transitAllowed, homeSovereign, plan, rateLimit, null);
    }

    /** A signed-in member calling for the tenant (no key): {@code keyId} is the membership's id. */
    public boolean isMember() {
        return prefix == null;
    }

    /**
     * The key's plan limits: requests per second (with a burst above it) and, for generative calls, prompt and
     * completion tokens per minute (0 when tenancy did not say: the gateway's default then applies).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimit(@JsonProperty("requests_per_second") int requestsPerSecond, int burst,
            @JsonProperty("tokens_per_minute") long tokensPerMinute) {

        public RateLimit(int requestsPerSecond, int burst) {
            this(requestsPerSecond, burst, 0);
        }
    }
}
