package dev.meridian.billing.usage.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageIngestorTest {

    @Test
    void aBatchKeepsEachEventIdOnceTheFirstTime() {
        UUID tenant = UUID.randomUUID();
        var a = new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 1, null, null, Instant.now(), "t");
        var b = new UsageEvent(UUID.randomUUID(), tenant, "eu-central", Meter.REQUESTS, 2, null, null, Instant.now(), "t");
        var aAgain = new UsageEvent(a.id(), tenant, "eu-central", Meter.REQUESTS, 9, null, null, Instant.now(), "t");
        assertThat(UsageIngestor.distinctById(List.of(a, b, aAgain, b))).containsExactly(a, b);
    }
}
