package dev.meridian.tenancy.apikeys.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Role;
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
                .hasMessageContaining("use any of inference, models, fine-tune, billing:read")
                .hasMessageNotContaining("admin")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    }

    @Test
    void theRetiredAdminScopeIsRefusedSayingSo() {
        assertThatThrownBy(() -> KeyTerms.scopes(List.of("models", "admin")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("scope 'admin' is no longer issued")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    }

    @Test
    void eachRoleMayGrantOnlyTheScopesItMayUse() {
        KeyTerms.requireGrantable(Role.OWNER, List.of("inference", "models", "fine-tune", "billing:read"));
        KeyTerms.requireGrantable(Role.ADMIN, List.of("billing:read"));
        KeyTerms.requireGrantable(Role.DEVELOPER, List.of("inference", "models", "fine-tune"));
        assertThatThrownBy(() -> KeyTerms.requireGrantable(Role.DEVELOPER, List.of("models", "billing:read")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("'developer'").hasMessageContaining("'billing:read'")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(403));
        assertThatThrownBy(() -> KeyTerms.requireGrantable(Role.BILLING, List.of("inference")))
                .hasMessageContaining("billing: billing:read");
        assertThatThrownBy(() -> KeyTerms.requireGrantable(Role.VIEWER, List.of("inference")))
                .hasMessageContaining("viewer: none");
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
