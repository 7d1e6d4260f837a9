package dev.meridian.inference.metrics;

import dev.meridian.common.observe.HttpLatencyHistogram;
import dev.meridian.inference.batching.BatchStats;
import dev.meridian.inference.catalog.ModelHost;
import dev.meridian.inference.tenant.TenantModels;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The inference service's own metrics at {@code /q/metrics}, beside Quarkus' HTTP and JVM ones. Labels stay bounded:
 * {@code model} is a catalog model id (the catalog is fixed at build time); tenants' own models are counted together,
 * never per tenant or per model, since their number has no bound.
 * <ul>
 *   <li>per catalog model: requests waiting ({@code meridian_inference_queue_depth}), requests, inputs and model
 *       calls, the batch size and padded tokens of each call (histograms: how well batching works and what padding
 *       costs), and model run time ({@code meridian_inference_model_run_seconds});</li>
 *   <li>tenants' models: calls running and queued, calls completed, stopped at the time limit and refused, run
 *       time; the session cache's bytes held and budget, sessions, loads, hits and evictions.</li>
 * </ul>
 */
@ApplicationScoped
public class InferenceMetrics {

    @Inject
    MeterRegistry registry;
    @Inject
    ModelHost host;
    @Inject
    TenantModels tenantModels;

    private final List<Meter> reading = new CopyOnWriteArrayList<>();

    /** After {@link ModelHost} has loaded the catalog (a lower priority runs later). */
    /** Buckets for the HTTP server timer, for the p99 alert: this service does not index meridian-common's beans. */
    @Produces
    @Singleton
    MeterFilter httpLatencyBuckets() {
        return HttpLatencyHistogram.filter();
    }

    void register(@Observes @Priority(5000) StartupEvent event) {
        for (var model : host.models()) {
            var loaded = host.find(model.id()).orElseThrow();
            var batcher = loaded.batcher();
            Tags tags = Tags.of("model", model.id());
            reading.add(Gauge.builder("meridian.inference.queue.depth", batcher, b -> b.queued()).tags(tags)
                    .description("Requests waiting for a call of the model").register(registry));
            BatchStats stats = batcher.stats();
            counter("meridian.inference.requests", tags, stats, s -> s.snapshot().requests(), "Requests served");
            counter("meridian.inference.inputs", tags, stats, s -> s.snapshot().inputs(), "Inputs embedded");
            counter("meridian.inference.model.calls", tags, stats, s -> s.snapshot().executions(),
                    "Model calls (batches) run");
            reading.add(FunctionCounter.builder("meridian.inference.queue.wait.seconds", stats,
                            s -> s.snapshot().queueNanos() / 1e9).tags(tags)
                    .description("Seconds requests spent waiting for their batch, summed").register(registry));
            DistributionSummary size = keep(DistributionSummary.builder("meridian.inference.batch.size").tags(tags)
                    .description("Inputs per model call").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                    .register(registry));
            DistributionSummary padded = keep(DistributionSummary.builder("meridian.inference.padded.tokens").tags(tags)
                    .baseUnit("tokens").description("Padding tokens per model call (batch width × inputs − tokens)")
                    .serviceLevelObjectives(1, 16, 64, 256, 1024, 4096).register(registry));
            Timer run = keep(Timer.builder("meridian.inference.model.run").tags(tags)
                    .description("Time of one model call").publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry));
            stats.listen((batchSize, paddedTokens, nanos) -> {
                size.record(batchSize);
                padded.record(paddedTokens);
                run.record(nanos, TimeUnit.NANOSECONDS);
            });
        }

        reading.add(Gauge.builder("meridian.inference.tenant.runs.running", tenantModels, t -> t.runStats().running())
                .description("Calls of tenants' models running now").register(registry));
        reading.add(Gauge.builder("meridian.inference.tenant.runs.queued", tenantModels, t -> t.runStats().queued())
                .description("Calls of tenants' models waiting for a thread").register(registry));
        counter("meridian.inference.tenant.runs", Tags.of("outcome", "completed"), tenantModels,
                t -> t.runStats().completed(), "Calls of tenants' models, by outcome");
        counter("meridian.inference.tenant.runs", Tags.of("outcome", "stopped_at_time_limit"), tenantModels,
                t -> t.runStats().stoppedAtTimeLimit(), "Calls of tenants' models, by outcome");
        counter("meridian.inference.tenant.runs", Tags.of("outcome", "refused"), tenantModels,
                t -> t.runStats().refused(), "Calls of tenants' models, by outcome");
        reading.add(FunctionCounter.builder("meridian.inference.tenant.run.seconds", tenantModels,
                        t -> t.runStats().runMillis() / 1e3)
                .description("Seconds tenants' models ran, summed").register(registry));

        reading.add(Gauge.builder("meridian.inference.session.cache.bytes", tenantModels, t -> t.stats().usedBytes())
                .baseUnit("bytes").description("Bytes of tenants' model sessions held").register(registry));
        reading.add(Gauge.builder("meridian.inference.session.cache.budget.bytes", tenantModels,
                        t -> t.stats().budgetBytes())
                .baseUnit("bytes").description("Bytes the session cache may hold").register(registry));
        reading.add(Gauge.builder("meridian.inference.session.cache.sessions", tenantModels, t -> t.stats().sessions())
                .description("Tenants' model sessions held").register(registry));
        counter("meridian.inference.session.cache.loads", Tags.empty(), tenantModels, t -> t.stats().loads(),
                "Sessions loaded (cache misses)");
        counter("meridian.inference.session.cache.hits", Tags.empty(), tenantModels, t -> t.stats().hits(),
                "Calls served by a session already held");
        counter("meridian.inference.session.cache.evictions", Tags.empty(), tenantModels,
                t -> t.stats().evictions(), "Sessions dropped to stay within the budget or after a change");
    }

    private <T> void counter(String name, Tags tags, T source, ToDoubleFunction<T> value, String description) {
        reading.add(FunctionCounter.builder(name, source, value).tags(tags).description(description)
                .register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        reading.add(meter);
        return meter;
    }

    /**
     * Removes this application's meters. The registry can outlive the application (a test JVM starts it again with
     * another profile): a meter left behind would keep reading the stopped application's beans, and registering the
     * same meter again would return that stale one.
     */
    void unregister(@Observes ShutdownEvent event) {
        reading.forEach(registry::remove);
        reading.clear();
    }
}
