package dev.meridian.common.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeySecretTest {

    @Test
    void generatedKeyCarriesItsPrefixAndMatchesOnlyItsOwnHash() {
        var first = ApiKeySecret.generate();
        var second = ApiKeySecret.generate();

        assertThat(first.key()).startsWith("mk_" + first.prefix() + "_");
        assertThat(ApiKeySecret.prefixOf(first.key())).contains(first.prefix());
        assertThat(ApiKeySecret.matches(first.key(), first.hash())).isTrue();
        assertThat(ApiKeySecret.matches(second.key(), first.hash())).isFalse();
        assertThat(first.prefix()).isNotEqualTo(second.prefix());
    }

    @Test
    void textThatIsNotAMeridianKeyHasNoPrefix() {
        assertThat(ApiKeySecret.prefixOf("sk-openai-style-key")).isEmpty();
        assertThat(ApiKeySecret.prefixOf("mk_short_secret")).isEmpty();
        assertThat(ApiKeySecret.prefixOf(null)).isEmpty();
    }

    @Test
    void redactedKeyNeverShowsTheSecret() {
        var key = ApiKeySecret.generate();
        String shown = ApiKeySecret.redact(key.key());

        assertThat(shown).startsWith("mk_" + key.prefix() + "_...");
        assertThat(shown).doesNotContain(key.key().substring(16, key.key().length() - 4));
    }

    @Test
    void scopesParseFromTheirWireNames() {
        assertThat(Scope.fromWireName("billing:read")).contains(Scope.BILLING_READ);
        assertThat(Scope.fromWireName("fine-tune")).contains(Scope.FINE_TUNE);
        assertThat(Scope.fromWireName("root")).isEmpty();
    }
}
