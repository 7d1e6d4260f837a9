package dev.meridian.billing.leases.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlicePolicyTest {

    private final SlicePolicy policy = new SlicePolicy(1000, 10, 500);

    @Test
    void aSliceIsAFractionOfTheRemainingBetweenFloorAndCapNeverMoreThanRemains() {
        assertThat(policy.slice(100_000)).isEqualTo(500); // cap
        assertThat(policy.slice(3_000)).isEqualTo(300); // 10 %
        assertThat(policy.slice(50)).isEqualTo(10); // floor
        assertThat(policy.slice(7)).isEqualTo(7); // what remains
        assertThat(policy.slice(0)).isZero();
        assertThat(policy.slice(-5)).isZero();
        assertThat(policy.slice(Long.MAX_VALUE)).isEqualTo(500);
    }

    @Test
    void slicesShrinkAsTheRemainingShrinks() {
        long remaining = 4_000;
        long previous = Long.MAX_VALUE;
        while (remaining > 0) {
            long s = policy.slice(remaining);
            assertThat(s).isPositive().isLessThanOrEqualTo(previous).isLessThanOrEqualTo(remaining);
            previous = s;
            remaining -= s;
        }
    }
}
