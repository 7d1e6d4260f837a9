package dev.meridian.inference.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The clock answers are dated with ({@code created} of completions); tests may produce their own. */
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    Clock system() {
        return Clock.systemUTC();
    }
}
