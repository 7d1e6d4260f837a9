package dev.meridian.tenancy.apikeys.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.error.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTermsTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void knownScopesAreKeptInOrderWithoutRepeats() {
        assertThat(KeyTerms.scopes(List.of("models", "inference", "models", "billing:read")))
                .containsExactly("models", "inference", "billing:read");
    }

    @Test
    void unknownScopeIsNamedWithTheValidOnes() {
        assertThatThrownBy(() -> KeyTerms.scopes(List.of("models", "root")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("'root'")
                .hasMessageContaining("inference, models, fine-tune, billing:read, admin")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    }

    @Test
    void aKeyNeedsAtLeastOneScope() {
        assertThatThrownBy(() -> KeyTerms.scopes(List.of())).hasMessageContaining("at least one scope");
    }

    @Test
    void expiryMustBeInTheFuture() {
        assertThat(KeyTerms.expiry(null, NOW)).isNull();
        assertThat(KeyTerms.expiry(NOW.plusSeconds(1), NOW)).isEqualTo(NOW.plusSeconds(1));
        assertThatThrownBy(() -> KeyTerms.expiry(NOW, NOW)).hasMessageContaining("`expires_at`")
                .hasMessageContaining("in the future");
    }

    @Test
    void graceIsZeroByDefaultAndAtMostSevenDays() {
        assertThat(KeyTerms.grace(null)).isEqualTo(Duration.ZERO);
        assertThat(KeyTerms.grace(604_800L)).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> KeyTerms.grace(604_801L)).hasMessageContaining("`grace_seconds`");
        assertThatThrownBy(() -> KeyTerms.grace(-1L)).hasMessageContaining("`grace_seconds`");
    }
}
