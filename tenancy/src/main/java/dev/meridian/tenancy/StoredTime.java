package dev.meridian.tenancy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Times at the precision PostgreSQL keeps ({@code timestamptz}: microseconds). The service takes its times from here,
 * so the answer to a change shows exactly the time a later read returns.
 */
public final class StoredTime {

    private StoredTime() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** {@code time} as it will be stored; {@code null} stays {@code null}. */
    public static Instant of(Instant time) {
        return time == null ? null : time.truncatedTo(ChronoUnit.MICROS);
    }
}
