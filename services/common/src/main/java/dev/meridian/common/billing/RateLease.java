package dev.meridian.common.billing;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * Billing's answer to a {@link RateLeaseRequest}: {@code granted} tokens taken from the key's one bucket, which the
 * asking gateway may spend (one per request) for {@code expiresInMs}; what is left then is lost, not returned. Times
 * are durations from billing's decision, so gateway and billing clocks need not agree: a gateway counts them from
 * when it sent the request, which is never later than the decision.
 *
 * @param granted tokens granted, 0 to {@code want}; 0 when the bucket is empty
 * @param expiresInMs how long the granted tokens may be spent
 * @param nextTokenInMs when the bucket holds its next token (0 when it still holds some): a gateway refused
 *        with 0 tokens does not ask again before then, and tells its callers so in {@code Retry-After}
 * @param fullInMs when the bucket is full again if nobody takes more ({@code x-ratelimit-reset-requests})
 */
public record RateLease(
        @JsonProperty("key_id") UUID keyId,
        int granted,
        @JsonProperty("expires_in_ms") long expiresInMs,
        @JsonProperty("next_token_in_ms") long nextTokenInMs,
        @JsonProperty("full_in_ms") long fullInMs) {
}
