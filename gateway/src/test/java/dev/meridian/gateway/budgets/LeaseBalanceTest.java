package dev.meridian.gateway.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.QuotaLease;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeaseBalanceTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    /** 1 request = 1000 nanos, 1 token = 10 nanos; items free (no price). */
    static final Map<String, Long> PRICES = Map.of("requests", 1000L, "input_tokens", 10L);

    static QuotaLease granted(Long budgetNanos, Map<String, Long> quantities) {
        return new QuotaLease(UUID.randomUUID(), UUID.randomUUID(), null, QuotaLease.GRANTED, null, null, "EUR",
                budgetNanos, quantities, PRICES, NOW.plusSeconds(60));
    }

    @Test
    void costIsQuantityTimesPriceSummedOverMeters() {
        var balance = new LeaseBalance(granted(10_000L, null));
        assertThat(balance.cost(Map.of(Meter.REQUESTS, 1L, Meter.INPUT_TOKENS, 12L, Meter.EMBEDDED_ITEMS, 3L)))
                .isEqualTo(1000 + 120);
    }

    @Test
    void promptAndCompletionTokensAreDebitedAtTheirOwnPrices() {
        var lease = new QuotaLease(UUID.randomUUID(), UUID.randomUUID(), null, QuotaLease.GRANTED, null, null, "EUR",
                100_000L, Map.of("completion_tokens", 1_000L), Map.of("requests", 1000L, "prompt_tokens", 20L,
                        "completion_tokens", 60L), NOW.plusSeconds(60));
        var balance = new LeaseBalance(lease);
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        balance.debit(Map.of(Meter.PROMPT_TOKENS, 100L, Meter.COMPLETION_TOKENS, 50L));
        assertThat(balance.spentNanos()).isEqualTo(1000 + 100 * 20 + 50 * 60);
        balance.debit(Map.of(Meter.COMPLETION_TOKENS, 950L)); // the plan's included completion tokens, all spent
        assertThat(balance.exhausted()).isTrue();
        assertThat(balance.settle().orElseThrow().spentQuantities()).containsEntry("prompt_tokens", 100L)
                .containsEntry("completion_tokens", 1_000L);
    }

    @Test
    void requestsArePaidUpFrontUntilTheMoneyRunsOut() {
        var balance = new LeaseBalance(granted(3_000L, null));
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isFalse();
        assertThat(balance.spentNanos()).isEqualTo(3_000L);
        assertThat(balance.exhausted()).isTrue();
    }

    @Test
    void usageDebitedAfterTheAnswerMayOverdrawAndThenNothingMoreIsAdmitted() {
        var balance = new LeaseBalance(granted(5_000L, null));
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        balance.debit(Map.of(Meter.INPUT_TOKENS, 500L)); // 5000 nanos: 6000 spent of 5000
        assertThat(balance.spentNanos()).isEqualTo(6_000L);
        assertThat(balance.exhausted()).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isFalse();
    }

    @Test
    void aGrantedQuantityLimitsItsMeterEvenWithoutABudget() {
        var balance = new LeaseBalance(granted(null, Map.of("requests", 2L)));
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isFalse();
    }

    @Test
    void withoutBudgetOrQuantitiesOnlyExpiryEndsALease() {
        var balance = new LeaseBalance(granted(null, null));
        for (int i = 0; i < 1000; i++) {
            assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isTrue();
        }
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW.plusSeconds(60))).isFalse();
    }

    @Test
    void settlementSaysWhatWasSpentOnceAndClosesTheLease() {
        var balance = new LeaseBalance(granted(100_000L, null));
        balance.tryReserve(LeaseKeeper.UP_FRONT, NOW);
        balance.debit(Map.of(Meter.INPUT_TOKENS, 7L, Meter.EMBEDDED_ITEMS, 1L));
        var settlement = balance.settle().orElseThrow();
        assertThat(settlement.spentNanos()).isEqualTo(1070L);
        assertThat(settlement.spentQuantities()).containsExactlyInAnyOrderEntriesOf(
                Map.of("requests", 1L, "input_tokens", 7L, "embedded_items", 1L));
        assertThat(balance.settle()).isEmpty();
        assertThat(balance.tryReserve(LeaseKeeper.UP_FRONT, NOW)).isFalse();
    }
}
