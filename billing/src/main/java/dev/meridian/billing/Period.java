package dev.meridian.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** A billing period: one calendar month in UTC, {@code [start, end)}. */
public record Period(Instant start, Instant end) {

    public static Period containing(Instant t) {
        return of(YearMonth.from(t.atZone(ZoneOffset.UTC)));
    }

    public static Period of(YearMonth month) {
        return new Period(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    public YearMonth month() {
        return YearMonth.from(start.atZone(ZoneOffset.UTC));
    }

    public Period previous() {
        return of(month().minusMonths(1));
    }
}
