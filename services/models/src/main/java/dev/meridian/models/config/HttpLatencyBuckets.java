package dev.meridian.models.config;

import dev.meridian.common.observe.HttpLatencyHistogram;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Buckets for the HTTP server timer, for the p99 alert: this service does not index meridian-common's beans. */
public class HttpLatencyBuckets {

    @Produces
    @Singleton
    MeterFilter httpLatencyBuckets() {
        return HttpLatencyHistogram.filter();
    }
}
