package dev.meridian.billing;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Billing's clock where a test sets the time ({@link #set}): months open and close when the test says, whatever
 * today's date is. Selected only by test profiles that enable it ({@code getEnabledAlternatives}); every other test
 * runs on the system clock of {@code Clocks}.
 */
@Alternative
@Singleton
public class MovableClock extends Clock {

    private static volatile Instant now = Instant.parse("2025-01-15T12:00:00Z");

    static void set(Instant instant) {
        now = instant;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("billing reads its clock in UTC");
    }

    @Override
    public Instant instant() {
        return now;
    }
}
