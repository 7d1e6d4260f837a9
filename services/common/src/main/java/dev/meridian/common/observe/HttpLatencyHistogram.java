package dev.meridian.common.observe;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;

/**
 * Buckets for Quarkus' {@code http.server.requests} timer, so Prometheus can compute a service's HTTP p99
 * ({@code histogram_quantile} over {@code http_server_requests_seconds_bucket}). Quarkus publishes only a count and a
 * sum for it, and no configuration property adds buckets: it takes a {@link MeterFilter} bean. Fixed buckets rather
 * than Micrometer's percentile histogram: that one is about 70 series per route, method and status, these are
 * {@link #BOUNDS}'s eleven.
 * <p>
 * Tenancy and billing index this module and get the producer below; the services that do not (the gateway, models,
 * inference) produce {@link #filter()} themselves.
 */
@Singleton
public class HttpLatencyHistogram {

    /** Upper bounds of the buckets: from a cached key lookup to a long upload. */
    static final Duration[] BOUNDS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    static final String TIMER = "http.server.requests";

    /** Adds {@link #BOUNDS} to the HTTP server timer and leaves every other meter as it is. */
    public static MeterFilter filter() {
        double[] nanos = Arrays.stream(BOUNDS).mapToDouble(Duration::toNanos).toArray();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMER.equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter httpLatencyBuckets() {
        return filter();
    }
}
