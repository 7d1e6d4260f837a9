package dev.meridian.gateway.apikeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyLookupLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = now::get;

    private KeyLookupLimiter limiter(int perSecond, int burst, int maxInFlight) {
        return new KeyLookupLimiter(new KeyLookupLimiter.Limits(perSecond, burst, maxInFlight, 1000), ticker);
    }

    @Test
    void aBurstOfUnknownPrefixesIsAdmittedThenRefusedUntilATokenRefills() {
        var limiter = limiter(4, 2, 100);
        limiter.admit("a").finish(true);
        limiter.admit("a").finish(true);
        assertThatThrownBy(() -> limiter.admit("a")).isInstanceOfSatisfying(KeyLookupRefused.class,
                e -> assertThat(e.verdict().status()).isEqualTo(429));
        now.addAndGet(Duration.ofMillis(249).toNanos());
        assertThatThrownBy(() -> limiter.admit("a")).isInstanceOf(KeyLookupRefused.class);
        now.addAndGet(Duration.ofMillis(2).toNanos());
        limiter.admit("a").finish(true);
    }

    @Test
    void retryAfterIsTheWholeSecondsUntilTheNextTokenAndTheMessageSaysWhatToFix() {
        var limiter = limiter(1, 1, 100);
        limiter.admit("a").finish(true);
        now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThatThrownBy(() -> limiter.admit("a")).isInstanceOfSatisfying(KeyLookupRefused.class, e -> {
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
            assertThat(e.verdict().error().error().message()).contains("do not exist", "retry after 1 s");
        });
    }

    @Test
    void aFoundKeyGivesItsTokenBackButNeverAboveTheBurst() {
        var limiter = limiter(1, 2, 100);
        for (int i = 0; i < 10; i++) {
            limiter.admit("a").finish(false);
        }
        limiter.admit("a").finish(true);
        limiter.admit("a").finish(true);
        assertThatThrownBy(() -> limiter.admit("a")).isInstanceOf(KeyLookupRefused.class);
    }

    @Test
    void lookupsInFlightAreCappedAndAFinishedOneFreesItsSlot() {
        var limiter = limiter(100, 100, 2);
        var first = limiter.admit("a");
        limiter.admit("b");
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThatThrownBy(() -> limiter.admit("c")).isInstanceOfSatisfying(KeyLookupRefused.class,
                e -> assertThat(e.verdict().status()).isEqualTo(503));
        first.finish(true);
        first.finish(true); // a second finish releases nothing more
        limiter.admit("c");
        assertThat(limiter.inFlight()).isEqualTo(2);
    }

    @Test
    void aRefusalForTheInFlightCapDoesNotSpendTheCallersBudget() {
        var limiter = limiter(1, 1, 1);
        var running = limiter.admit("a");
        assertThatThrownBy(() -> limiter.admit("b")).isInstanceOf(KeyLookupRefused.class);
        running.finish(false);
        limiter.admit("b");
    }

    @Test
    void ipv6CallersCountPerSlash64AndIpv4MappedOnesAsIpv4() {
        assertThat(KeyLookupLimiter.clientOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))
                .isEqualTo(KeyLookupLimiter.clientOf("2001:db8:1:2::1"))
                .isNotEqualTo(KeyLookupLimiter.clientOf("2001:db8:1:3::1"));
        assertThat(KeyLookupLimiter.clientOf("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(KeyLookupLimiter.clientOf("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(KeyLookupLimiter.clientOf(null)).isEqualTo(KeyLookupLimiter.clientOf(" "));
    }
}
