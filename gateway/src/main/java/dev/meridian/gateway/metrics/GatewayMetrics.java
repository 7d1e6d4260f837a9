package dev.meridian.gateway.metrics;

import dev.meridian.common.observe.HttpLatencyHistogram;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.budgets.TenantBudgets;
import dev.meridian.gateway.metering.UsagePublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own metrics at {@code /q/metrics}, beside Quarkus' HTTP RED metrics:
 * <ul>
 *   <li>{@code meridian_gateway_admissions_total{outcome}}: calls let through, {@code served} here (the tenant's home)
 *       or {@code forwarded} to the home region's gateway;</li>
 *   <li>{@code meridian_gateway_refusals_total{status,code}}: calls the gateway itself refused, by status and error
 *       code ({@code invalid_api_key}, {@code rate_limit_exceeded}, {@code insufficient_quota}'s budget codes,
 *       {@code billing_unavailable}, {@code sovereign_region}, …: the gateway's own fixed vocabulary);</li>
 *   <li>the key cache: callers answered from memory, from memory as unknown, by joining a lookup under way, or by a
 *       lookup at tenancy; keys held;</li>
 *   <li>usage: events metered and acknowledged by Kafka, and the backlog between (queued, spooled or in flight) —
 *       a growing backlog means Kafka is away and the spool is filling; and the age of the oldest event waiting,
 *       which says how late billing is;</li>
 * </ul>
 * No label carries a tenant, key or path: cardinality is bounded by the code.
 */
@ApplicationScoped
public class GatewayMetrics {

    @Inject
    MeterRegistry registry;
    @Inject
    KeyDirectory keys;
    @Inject
    UsagePublisher usage;
    @Inject
    TenantBudgets budgets;

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    /** The meters that read this application's beans: removed at shutdown, see {@link #unregister}. */
    private final List<Meter> reading = new CopyOnWriteArrayList<>();

    /** Buckets for the HTTP server timer, for the p99 alert: this service does not index meridian-common's beans. */
    @Produces
    @Singleton
    MeterFilter httpLatencyBuckets() {
        return HttpLatencyHistogram.filter();
    }

    void register(@Observes StartupEvent event) {
        cacheCounter("hit", k -> k.counts().hits());
        cacheCounter("unknown_hit", k -> k.counts().unknownHits());
        cacheCounter("joined", k -> k.counts().joined());
        cacheCounter("miss", k -> k.counts().misses());
        reading.add(Gauge.builder("meridian.gateway.key.cache.size", keys, KeyDirectory::size)
                .description("Keys and signed-in callers held in memory").register(registry));
        reading.add(FunctionCounter.builder("meridian.gateway.usage.events.metered", usage, UsagePublisher::accepted)
                .description("Usage events metered").register(registry));
        reading.add(FunctionCounter.builder("meridian.gateway.usage.events.published", usage,
                UsagePublisher::published).description("Usage events Kafka acknowledged").register(registry));
        reading.add(Gauge.builder("meridian.gateway.usage.backlog", usage, UsagePublisher::backlog)
                .description("Usage events metered and not yet acknowledged by Kafka").register(registry));
        reading.add(Gauge.builder("meridian.gateway.usage.spool.age", usage, u -> u.spoolAge().toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("How long the oldest usage event not yet acknowledged by Kafka has waited")
                .register(registry));
        reading.add(Gauge.builder("meridian.gateway.usage.broker.failing", usage, u -> u.brokerFailing() ? 1 : 0)
                .description("1 while the last attempt to reach Kafka failed").register(registry));
        for (String outcome : List.of("granted", "blocked", "failed")) {
            reading.add(FunctionCounter.builder("meridian.gateway.lease.requests", budgets,
                    b -> b.leaseRequests(outcome)).tag("outcome", outcome)
                    .description("Budget and quota leases asked of billing, by its answer").register(registry));
        }
        reading.add(Gauge.builder("meridian.gateway.lease.holders", budgets, TenantBudgets::leaseHolders)
                .description("Tenants and keys this gateway holds a billing lease for").register(registry));
    }

    /**
     * Removes the meters that read beans. The registry can outlive the application (a test JVM starts it again with
     * another profile): a meter left behind would keep reading the stopped application's beans, and registering the
     * same meter again would return that stale one.
     */
    void unregister(@Observes ShutdownEvent event) {
        reading.forEach(registry::remove);
        reading.clear();
    }

    /** A call let through: {@code served} here or {@code forwarded} home. */
    public void admitted(String outcome) {
        counter("meridian.gateway.admissions", "outcome", outcome).increment();
    }

    /** A call the gateway refused with {@code status} and error {@code code}. */
    public void refused(int status, String code) {
        counter("meridian.gateway.refusals", "status", String.valueOf(status), "code", code == null ? "none" : code)
                .increment();
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + String.join("|", tags),
                k -> Counter.builder(name).tags(tags).register(registry));
    }

    private void cacheCounter(String result, ToDoubleFunction<KeyDirectory> value) {
        reading.add(FunctionCounter.builder("meridian.gateway.key.cache.requests", keys, value).tag("result", result)
                .description("Callers' keys and tokens looked up, by how they were answered").register(registry));
    }
}
