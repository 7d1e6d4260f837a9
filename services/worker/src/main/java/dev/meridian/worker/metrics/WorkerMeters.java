package dev.meridian.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The worker's own meters, served at {@code /q/metrics}: {@code meridian_worker_jobs_total{outcome}} (jobs ended:
 * succeeded, failed, cancelled, handed_over, skipped for a cancellation heard before they started, dead_lettered),
 * {@code meridian_worker_jobs_running}, {@code meridian_worker_epoch_duration_seconds} (a histogram), {@code
 * meridian_worker_events_published_total{topic}} and {@code meridian_worker_events_failed_total{topic}} (topic: events,
 * usage, dlq), and the job consumer's {@code kafka_consumer_*} metrics, its lag among them
 * ({@code kafka_consumer_fetch_manager_records_lag_max}). Labels are bounded: no job or tenant id.
 */
public final class WorkerMeters {

    private final MeterRegistry registry;
    private final AtomicInteger running = new AtomicInteger();
    private final Timer epochs;

    public WorkerMeters(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("meridian.worker.jobs.running", running);
        this.epochs = Timer.builder("meridian.worker.epoch.duration")
                .description("How long one training epoch of a fine-tuning job takes, checkpoint included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
    }

    /** A job starts running on this worker. */
    public void jobStarted() {
        running.incrementAndGet();
    }

    /** A job that {@link #jobStarted started} ends with {@code outcome}. */
    public void jobEnded(String outcome) {
        running.decrementAndGet();
        jobSettled(outcome);
    }

    /** A job record settled without running (skipped, dead-lettered). */
    public void jobSettled(String outcome) {
        Counter.builder("meridian.worker.jobs").description("Fine-tuning jobs this worker ended, by outcome")
                .tag("outcome", outcome.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    /** The timer of training epochs. */
    public Timer epochs() {
        return epochs;
    }

    /** {@code topic}: events, usage or dlq. */
    public void published(String topic) {
        Counter.builder("meridian.worker.events.published").description("Records the worker published, by topic")
                .tag("topic", topic).register(registry).increment();
    }

    /** {@code topic}: events, usage or dlq. */
    public void failed(String topic) {
        Counter.builder("meridian.worker.events.failed")
                .description("Records Kafka did not acknowledge or refused, by topic").tag("topic", topic)
                .register(registry).increment();
    }

    /** Binds a consumer's client metrics (lag included) until the returned handle is closed with the consumer. */
    public AutoCloseable bind(Consumer<?, ?> consumer) {
        var metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        return metrics;
    }
}
