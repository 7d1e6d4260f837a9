package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.ids.TimeOrderedIds;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageMeterTest {

    static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-000000000001");
    static final UUID KEY = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
    static final Instant AT = Instant.parse("2026-11-23T12:34:56.789Z");
    static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aCallIsOneRequestPlusWhatTheServiceReports() {
        assertThat(UsageMeter.quantities(UsageHeader.parse("input_tokens=12,embedded_items=3")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(Meter.REQUESTS, 1L, Meter.INPUT_TOKENS, 12L,
                        Meter.EMBEDDED_ITEMS, 3L));
        assertThat(UsageMeter.quantities(UsageHeader.parse(null)))
                .as("an answer without the header meters one request").containsExactlyEntriesOf(
                        Map.of(Meter.REQUESTS, 1L));
    }

    @Test
    void aServiceThatStatesItsRequestsIsNotCountedTwice() {
        assertThat(UsageMeter.quantities(UsageHeader.parse("requests=1,input_tokens=6")))
                .containsEntry(Meter.REQUESTS, 1L);
        var free = UsageMeter.events(TENANT, KEY, "m", UsageMeter.quantities(UsageHeader.parse("requests=0")), AT,
                "eu-central", "gateway:eu-central:g1", null);
        assertThat(free).as("a call the service does not bill").isEmpty();
    }

    @Test
    void everyMeterBecomesOneEventWithItsOwnIdAndTheCallsContext() {
        var events = UsageMeter.events(TENANT, KEY, "bge-small-en-v1.5",
                UsageMeter.quantities(UsageHeader.parse("input_tokens=12,embedded_items=3")), AT, "eu-central",
                "gateway:eu-central:g1", TRACE);
        assertThat(events).extracting(UsageEvent::meter)
                .containsExactlyInAnyOrder(Meter.REQUESTS, Meter.INPUT_TOKENS, Meter.EMBEDDED_ITEMS);
        assertThat(events).extracting(UsageEvent::id).doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.tenantId()).isEqualTo(TENANT);
            assertThat(e.keyId()).isEqualTo(KEY);
            assertThat(e.traceParent()).as("the call's trace goes with each event").isEqualTo(TRACE);
            assertThat(e.region()).isEqualTo("eu-central");
            assertThat(e.model()).isEqualTo("bge-small-en-v1.5");
            assertThat(e.occurredAt()).isEqualTo(AT);
            assertThat(e.source()).isEqualTo("gateway:eu-central:g1");
            // time-ordered ids keep billing's dedup index writes on a few hot pages (docs/benchmarks.md)
            assertThat(TimeOrderedIds.timeOf(e.id())).isEqualTo(AT.truncatedTo(ChronoUnit.MILLIS));
        });
    }
}
