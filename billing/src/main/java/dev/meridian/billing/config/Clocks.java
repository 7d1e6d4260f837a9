package dev.meridian.billing.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The one source of "now" for billing: periods, invoice finalization, budgets, leases and jobs read it from the
 * injected {@link Clock}, so which month is open is a question of this clock, never of scattered system calls.
 */
public class Clocks {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
