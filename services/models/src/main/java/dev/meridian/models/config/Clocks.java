package dev.meridian.models.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The source of "now" for the service's periodic jobs (the outbox purge), so tests can run them at a time they choose. */
public class Clocks {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
