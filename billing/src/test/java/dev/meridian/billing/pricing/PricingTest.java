package dev.meridian.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingTest {

    private final Price tokens = Price.parse("graduated:1000:2000,5000:1500,:1000");

    @Test
    void graduatedTiersPriceEachUnitByTheTierItFallsIn() {
        // 1000 × 2000 + 4000 × 1500 + 1000 × 1000
        assertThat(tokens.costNanos(0, 6000)).isEqualTo(2_000_000 + 6_000_000 + 1_000_000);
        assertThat(tokens.slices(0, 6000)).extracting(Price.Slice::quantity).containsExactly(1000L, 4000L, 1000L);
        // continuing from 999 charged units: one unit in tier 1, then tier 2
        assertThat(tokens.costNanos(999, 2)).isEqualTo(2000 + 1500);
        assertThat(tokens.marginalNanos(999)).isEqualTo(2000);
        assertThat(tokens.marginalNanos(1000)).isEqualTo(1500);
        assertThat(tokens.marginalNanos(1_000_000)).isEqualTo(1000);
    }

    @Test
    void badPriceSpecsSayWhatIsWrong() {
        assertThatThrownBy(() -> Price.parse("graduated:1000:5,500:4,:3")).hasMessageContaining("must rise");
        assertThatThrownBy(() -> Price.parse("graduated:1000:5,2000:4")).hasMessageContaining("last tier");
        assertThatThrownBy(() -> Price.parse("tiered:5")).hasMessageContaining("flat or graduated");
        assertThatThrownBy(() -> Price.parse("flat:-1")).hasMessageContaining("negative");
    }

    @Test
    void aPartnersPartIsRoundedOnceHalfEvenAndMayBeNegative() {
        assertThat(Money.partOf(1000, 1500)).isEqualTo(150);
        assertThat(Money.partOf(5, 1000)).isZero(); // 0.5 → 0 (even)
        assertThat(Money.partOf(15, 1000)).isEqualTo(2); // 1.5 → 2 (even)
        assertThat(Money.partOf(25, 1000)).isEqualTo(2); // 2.5 → 2 (even)
        assertThat(Money.partOf(26, 1000)).isEqualTo(3); // 2.6 → 3
        assertThat(Money.partOf(-15, 1000)).isEqualTo(-2); // a credit note beyond the period's net
        assertThat(Money.partOf(999, 8000)).isEqualTo(799); // 799.2 → 799: a reseller's 20 % discount
    }

    @Test
    void roundingIsHalfUpOncePerLineAndOnceForTax() {
        assertThat(Money.roundToMinor(499_999_999)).isZero();
        assertThat(Money.roundToMinor(500_000_000)).isEqualTo(1);
        assertThat(Money.roundToMinor(1_499_999_999)).isEqualTo(1);
        assertThat(Money.roundToMinor(2_500_000_000L)).isEqualTo(3);
        assertThat(Money.tax(1050, 1900)).isEqualTo(200); // 199.5 → 200
        assertThat(Money.tax(1049, 1900)).isEqualTo(199); // 199.31 → 199
        assertThat(Money.tax(0, 1900)).isZero();
        assertThatThrownBy(() -> Money.toNanos(Long.MAX_VALUE / 10)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void aSubscriptionChargesItsFeeThenOnlyTheUsageAboveItsInclusions() {
        Rating rating = new Rating("subscription", 4900, Map.of("requests", 100L),
                Map.of("requests", Price.flat(1_000_000_000L), "input_tokens", tokens));
        var lines = rating.lines(Map.of("requests", 130L, "input_tokens", 1500L));
        assertThat(lines).extracting(Rating.Line::description).containsExactly(
                "Plan subscription, monthly fee", "requests, included in plan", "requests",
                "input_tokens, tier 1 (up to 1000 tokens)", "input_tokens, tier 2 (up to 5000 tokens)");
        assertThat(lines).extracting(Rating.Line::amountMinor).containsExactly(4900L, 0L, 30L, 0L, 0L);
        // usage cost excludes the fee: 30 requests at 1 cent, 1000 × 2000 + 500 × 1500 nanos
        assertThat(rating.usageCostNanos(Map.of("requests", 130L, "input_tokens", 1500L)))
                .isEqualTo(30_000_000_000L + 2_750_000L);
        assertThat(rating.marginalPrices(Map.of("requests", 99L))).containsEntry("requests", 0L);
        assertThat(rating.marginalPrices(Map.of("requests", 100L))).containsEntry("requests", 1_000_000_000L);
    }
}
