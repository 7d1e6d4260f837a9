package dev.meridian.common.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageHeaderTest {

    @Test
    void formatsMetersByWireNameInDeclarationOrderWithoutZeros() {
        assertThat(UsageHeader.format(Map.of(Meter.EMBEDDED_ITEMS, 3L, Meter.INPUT_TOKENS, 12L, Meter.REQUESTS, 0L)))
                .isEqualTo("input_tokens=12,embedded_items=3");
    }

    @Test
    void formatRefusesNegativeQuantities() {
        assertThatThrownBy(() -> UsageHeader.format(Map.of(Meter.INPUT_TOKENS, -1L)))
                .hasMessageContaining("input_tokens");
    }

    @Test
    void parseReadsWhatFormatWrites() {
        var quantities = Map.of(Meter.INPUT_TOKENS, 12L, Meter.EMBEDDED_ITEMS, 3L, Meter.REQUESTS, 1L);
        var parsed = UsageHeader.parse(UsageHeader.format(quantities));
        assertThat(parsed.quantities()).isEqualTo(quantities);
        assertThat(parsed.problems()).isEmpty();
    }

    @Test
    void parseSkipsAndNamesWhatItCannotRead() {
        var parsed = UsageHeader.parse(" input_tokens = 7 ,gpu_hours=2,embedded_items=x,requests=-1,,novalue");
        assertThat(parsed.quantities()).containsExactlyEntriesOf(Map.of(Meter.INPUT_TOKENS, 7L));
        assertThat(parsed.problems()).hasSize(4)
                .anySatisfy(p -> assertThat(p).contains("gpu_hours"))
                .anySatisfy(p -> assertThat(p).contains("embedded_items=x"))
                .anySatisfy(p -> assertThat(p).contains("requests=-1"))
                .anySatisfy(p -> assertThat(p).contains("novalue"));
    }

    @Test
    void aMeterNamedTwiceIsSummedAndAMissingHeaderIsNothing() {
        assertThat(UsageHeader.parse("input_tokens=2,input_tokens=5").quantities())
                .containsExactlyEntriesOf(Map.of(Meter.INPUT_TOKENS, 7L));
        assertThat(UsageHeader.parse(null).quantities()).isEmpty();
        assertThat(UsageHeader.parse("  ").quantities()).isEmpty();
    }
}
