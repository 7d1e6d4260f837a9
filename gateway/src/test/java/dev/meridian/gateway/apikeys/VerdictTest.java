package dev.meridian.gateway.apikeys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.apikey.ApiKeySecret;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private final ApiKeySecret.Generated key = ApiKeySecret.generate();
    private final Instant now = Instant.parse("2026-11-22T12:00:00Z");

    private KeyRecord record(Instant expires, Instant revoked, String status) {
        return new KeyRecord(UUID.randomUUID(), UUID.randomUUID(), key.prefix(), key.hash(), List.of("models"),
                expires, revoked, status, "eu-central", "http://eu", true, false, "free",
                new KeyRecord.RateLimit(5, 10));
    }

    @Test
    void activeKeyWithMatchingSecretIsAllowed() {
        assertThat(Verdict.of(key.key(), Optional.of(record(null, null, "active")), now).allowed()).isTrue();
    }

    @Test
    void wrongSecretForAKnownPrefixIsAnInvalidKey() {
        String forged = key.key().substring(0, key.key().length() - 1) + (key.key().endsWith("A") ? "B" : "A");
        var v = Verdict.of(forged, Optional.of(record(null, null, "active")), now);
        assertThat(v.status()).isEqualTo(401);
        assertThat(v.error().error().code()).isEqualTo("invalid_api_key");
        assertThat(v.error().error().message()).doesNotContain(forged);
    }

    @Test
    void revokedKeyIsRefusedWithItsOwnCode() {
        var v = Verdict.of(key.key(), Optional.of(record(null, now.minusSeconds(1), "active")), now);
        assertThat(v.status()).isEqualTo(401);
        assertThat(v.error().error().code()).isEqualTo("api_key_revoked");
        assertThat(v.error().error().message()).contains(key.prefix()).doesNotContain(key.key());
    }

    @Test
    void expiredKeyIsRefusedWithItsOwnCode() {
        var v = Verdict.of(key.key(), Optional.of(record(now, null, "active")), now);
        assertThat(v.status()).isEqualTo(401);
        assertThat(v.error().error().code()).isEqualTo("api_key_expired");
    }

    @Test
    void keyOfASuspendedTenantIsForbidden() {
        var v = Verdict.of(key.key(), Optional.of(record(null, null, "suspended")), now);
        assertThat(v.status()).isEqualTo(403);
        assertThat(v.error().error().code()).isEqualTo("tenant_suspended");
    }

    @Test
    void revokedWinsOverSuspendedSoTheKeyOwnerLearnsTheKeyIsDead() {
        var v = Verdict.of(key.key(), Optional.of(record(null, now.minusSeconds(1), "suspended")), now);
        assertThat(v.error().error().code()).isEqualTo("api_key_revoked");
    }

    @Test
    void missingKeySaysHowToSendOne() {
        var v = Verdict.missing();
        assertThat(v.status()).isEqualTo(401);
        assertThat(v.error().error().code()).isEqualTo("missing_api_key");
        assertThat(v.error().error().message()).contains("Authorization: Bearer");
    }

    @Test
    void keyRevokedInTheFutureStillWorksDuringItsRotationGrace() {
        assertThat(Verdict.of(key.key(), Optional.of(record(null, now.plusSeconds(60), "active")), now).allowed())
                .isTrue();
    }

    @Test
    void unknownPrefixIsAnInvalidKey() {
        assertThat(Verdict.of(key.key(), Optional.empty(), now).error().error().code()).isEqualTo("invalid_api_key");
    }
}
