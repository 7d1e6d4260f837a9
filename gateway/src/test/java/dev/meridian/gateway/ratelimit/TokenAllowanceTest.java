package dev.meridian.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenAllowanceTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aFreshKeyHasItsWholeMinute() {
        var decision = new TokenAllowance(600, 0).check(0);
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.remaining()).isEqualTo(600);
    }

    @Test
    void callsGoAheadUntilTheMinutesTokensAreOverdrawnThenWaitUntilTheDebtIsRefilled() {
        var tpm = new TokenAllowance(600, 0); // 10 tokens a second
        tpm.debit(600, 0);
        assertThat(tpm.check(0).allowed()).as("spent to zero, not below").isTrue();
        assertThat(tpm.check(0).remaining()).isZero();
        tpm.debit(50, 0); // 50 tokens in debt: 5 s of refill
        var refused = tpm.check(0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(5 * SECOND);
        assertThat(refused.retryAfterSeconds()).isEqualTo(5);
        assertThat(tpm.check(4 * SECOND).allowed()).isFalse();
        assertThat(tpm.check(5 * SECOND).allowed()).isTrue();
        assertThat(tpm.check(65 * SECOND).remaining()).isEqualTo(600);
    }

    @Test
    void oneCallMayOverdrawByMoreThanTheMinute() {
        var tpm = new TokenAllowance(60, 0);
        tpm.debit(180, 0); // three minutes' worth in one answer
        assertThat(tpm.check(0).retryAfterSeconds()).isEqualTo(120);
        assertThat(tpm.check(0).resetNanos()).isEqualTo(180 * SECOND);
    }

    @Test
    void anIdleKeyRefillsButNeverBeyondItsMinute() {
        var tpm = new TokenAllowance(600, 0);
        tpm.debit(300, 0);
        assertThat(tpm.check(15 * SECOND).remaining()).isEqualTo(450);
        tpm.debit(600, 3600 * SECOND); // an hour later: starts from a full bucket, not from an hour's savings
        assertThat(tpm.check(3600 * SECOND).remaining()).isZero();
        assertThat(tpm.check(3600 * SECOND).allowed()).isTrue();
    }
}
