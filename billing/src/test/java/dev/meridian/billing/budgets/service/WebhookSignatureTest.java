package dev.meridian.billing.budgets.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    @Test
    void theSignatureIsHmacSha256OfTimestampDotBody() {
        // RFC 4231-independent check: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        assertThat(WebhookSignature.hmac("key", "The quick brown fox jumps over the lazy dog"))
                .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        String header = WebhookSignature.header("whsec_x", 1700000000L, "{\"a\":1}");
        assertThat(header).isEqualTo("t=1700000000,v1=" + WebhookSignature.hmac("whsec_x", "1700000000.{\"a\":1}"));
    }

    @Test
    void verificationFailsForAnotherSecretBodyOrTimestamp() {
        String header = WebhookSignature.header("whsec_x", 1700000000L, "{\"a\":1}");
        assertThat(WebhookSignature.verify("whsec_x", header, "{\"a\":1}")).isTrue();
        assertThat(WebhookSignature.verify("whsec_y", header, "{\"a\":1}")).isFalse();
        assertThat(WebhookSignature.verify("whsec_x", header, "{\"a\":2}")).isFalse();
        assertThat(WebhookSignature.verify("whsec_x", header.replace("t=1700000000", "t=1700000001"), "{\"a\":1}"))
                .isFalse();
        assertThat(WebhookSignature.verify("whsec_x", "garbage", "{\"a\":1}")).isFalse();
    }
}
