package dev.meridian.gateway.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.kafka.KafkaConnection;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.observe.TraceHeaders;
import dev.meridian.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Gets usage events from the request path to Kafka's {@code usage.events} without blocking the event loop and
 * without losing them. {@link #publish} only queues in memory; the {@code usage-spool} thread appends the queue to
 * the on-disk {@link UsageSpool} and fsyncs it every {@code metering.fsync-interval} (or {@code fsync-batch}
 * events); the {@code usage-publisher} thread sends what is durable with an idempotent, {@code acks=all} producer and
 * marks each event acknowledged when the broker confirms it. When the broker is away or slow the spool simply grows;
 * when a send fails for good the producer is replaced and sending starts again, in order, at the oldest event not
 * acknowledged. What is on disk at start (an earlier run's) is sent first.
 */
@ApplicationScoped
public class UsagePublisher {

    private static final Logger LOG = Logger.getLogger(UsagePublisher.class);
    /** Events queued in memory between the event loop and the spool thread; beyond it the disk cannot keep up. */
    static final int MAX_QUEUED = 200_000;
    /** Events sent and not yet acknowledged; bounds the producer's buffer while the broker is away. */
    static final int MAX_IN_FLIGHT = 20_000;
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(3);

    @Inject
    GatewayConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private final LinkedBlockingQueue<UsageEvent> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Semaphore durable = new Semaphore(0);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean running;
    private volatile boolean brokerFailing;
    private UsageSpool spool;
    private ServedRequests served;
    private Thread writer;
    private Thread sender;

    void start(@Observes StartupEvent event) throws IOException {
        Path dir = spoolDir();
        spool = UsageSpool.open(dir, config.metering().segmentBytes(), Clock.systemUTC());
        served = ServedRequests.open(dir, config.metering().servedRequestsRetention(), Instant.now());
        long backlog = spool.unacknowledged();
        LOG.infof("usage spool at %s%s", dir.toAbsolutePath(), backlog == 0 ? ""
                : " holds " + backlog + " events from an earlier run; sending them first");
        running = true;
        writer = Thread.ofPlatform().name("usage-spool").start(this::writeLoop);
        sender = Thread.ofPlatform().name("usage-publisher").start(this::sendLoop);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        durable.release();
        if (writer != null) {
            writer.join(5000);
        }
        if (sender != null) {
            sender.join(SHUTDOWN_DRAIN.toMillis() + 5000);
        }
        if (spool != null) {
            spool.close();
            long left = spool.unacknowledged();
            if (left > 0) {
                LOG.infof("%d usage events wait in the spool for Kafka; they are sent at the next start", left);
            }
        }
        if (served != null) {
            try {
                served.close();
            } catch (IOException e) {
                LOG.errorf("cannot close the served-request counts: %s", e.toString());
            }
        }
    }

    /** The folder of this gateway's spool: {@code metering.spool-dir}, else {@code spool/<gateway id>}. */
    Path spoolDir() {
        return Path.of(config.metering().spoolDir().orElse("spool/" + GatewayIdentity.of(config)));
    }

    /** Hands events to the spool; never blocks. */
    public void publish(List<UsageEvent> events) {
        for (UsageEvent e : events) {
            if (queue.offer(e)) {
                accepted.incrementAndGet();
            } else {
                // Only when the disk cannot keep up for long: say so loudly, never stall the event loop.
                if (dropped.getAndIncrement() % 1000 == 0) {
                    LOG.errorf("usage spool queue is full (%d): dropping usage events; check the disk of %s",
                            MAX_QUEUED, spoolDir());
                }
            }
        }
    }

    /** Events metered and not yet acknowledged by Kafka (queued, spooled or in flight). */
    public long backlog() {
        return queue.size() + (spool == null ? 0 : spool.unacknowledged());
    }

    /** How long the oldest event in the spool has waited for Kafka's acknowledgement; zero when none waits. */
    public Duration spoolAge() {
        return spool == null ? Duration.ZERO : spool.oldestUnacknowledgedAge();
    }

    /** Events metered since start (handed to the spool). */
    public long accepted() {
        return accepted.get();
    }

    /** Events Kafka acknowledged since start. */
    public long published() {
        return published.get();
    }

    /** Whether the last attempt to reach Kafka failed. */
    public boolean brokerFailing() {
        return brokerFailing;
    }

    /** Served-request counts per tenant and hour overlapping {@code [from, to)}. */
    public List<ServedRequests.Count> servedBetween(Instant from, Instant to) {
        return served.between(from, to);
    }

    private void writeLoop() {
        var batch = new ArrayList<UsageEvent>();
        long unsynced = 0;
        long firstUnsyncedAt = 0;
        long interval = config.metering().fsyncInterval().toNanos();
        int fsyncBatch = config.metering().fsyncBatch();
        while (running || !queue.isEmpty() || unsynced > 0) {
            try {
                long wait = unsynced == 0 ? TimeUnit.MILLISECONDS.toNanos(200)
                        : Math.max(0, firstUnsyncedAt + interval - System.nanoTime());
                UsageEvent first = running ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                if (first != null) {
                    batch.clear();
                    batch.add(first);
                    queue.drainTo(batch, 4096);
                    writeAll(batch);
                    if (unsynced == 0) {
                        firstUnsyncedAt = System.nanoTime();
                    }
                    unsynced += batch.size();
                }
                if (unsynced > 0 && (unsynced >= fsyncBatch || !running
                        || System.nanoTime() - firstUnsyncedAt >= interval)) {
                    spool.sync();
                    served.sync();
                    unsynced = 0;
                    durable.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.errorf("cannot write usage events to the spool in %s (%s); retrying", spoolDir(), e.toString());
                sleep(1000);
            }
        }
    }

    /** Appends one batch, retrying until the disk takes it; the batch stays whole or absent in the log. */
    private void writeAll(List<UsageEvent> batch) throws IOException, InterruptedException {
        List<byte[]> lines = new ArrayList<>(batch.size());
        for (UsageEvent e : batch) {
            lines.add(json.writeValueAsBytes(e));
        }
        while (true) {
            try {
                spool.append(lines);
                break;
            } catch (IOException e) {
                LOG.errorf("cannot append %d usage events to the spool in %s (%s); retrying", lines.size(),
                        spoolDir(), e.toString());
                Thread.sleep(1000);
            }
        }
        for (UsageEvent e : batch) {
            if (e.meter() == Meter.REQUESTS) {
                served.add(e.tenantId(), e.occurredAt(), e.quantity());
            }
        }
    }

    private void sendLoop() {
        KafkaProducer<String, byte[]> producer = null;
        var generation = new AtomicInteger();
        var failedGeneration = new AtomicInteger(-1);
        AtomicInteger inFlight = new AtomicInteger();
        boolean topicChecked = false;
        long drainUntil = Long.MAX_VALUE;
        while (true) {
            if (!running && drainUntil == Long.MAX_VALUE) {
                drainUntil = System.nanoTime() + SHUTDOWN_DRAIN.toNanos();
            }
            if (!running && (spool.unacknowledged() == 0 || System.nanoTime() > drainUntil)) {
                break;
            }
            try {
                if (producer == null) {
                    producer = newProducer();
                    generation.incrementAndGet();
                    inFlight = new AtomicInteger();
                }
                if (failedGeneration.get() == generation.get()) {
                    producer.close(Duration.ZERO);
                    producer = null;
                    spool.rewind();
                    sleep(running ? 1000 : 100);
                    continue;
                }
                if (!topicChecked) {
                    topicChecked = ensureTopic();
                }
                int room = MAX_IN_FLIGHT - inFlight.get();
                List<UsageSpool.Entry> batch = room > 0 ? spool.read(Math.min(room, 2000)) : List.of();
                if (batch.isEmpty()) {
                    spool.release();
                    durable.tryAcquire(100, TimeUnit.MILLISECONDS);
                    durable.drainPermits();
                    continue;
                }
                int gen = generation.get();
                AtomicInteger counter = inFlight;
                for (UsageSpool.Entry entry : batch) {
                    counter.incrementAndGet();
                    long seq = entry.seq();
                    producer.send(record(entry),
                            (metadata, failure) -> {
                                counter.decrementAndGet();
                                if (failure == null) {
                                    spool.acknowledge(seq);
                                    published.incrementAndGet();
                                    if (brokerFailing) {
                                        brokerFailing = false;
                                        LOG.infof("usage events reach Kafka again; %d wait in the spool",
                                                spool.unacknowledged());
                                    }
                                } else if (failedGeneration.getAndAccumulate(gen, Math::max) < gen) {
                                    noteFailure(failure); // a late failure of an older producer never hides this one
                                }
                            });
                }
            } catch (KafkaException e) { // e.g. no metadata within max.block.ms: the broker is away
                failedGeneration.accumulateAndGet(generation.get(), Math::max);
                noteFailure(e);
            } catch (IOException | RuntimeException e) {
                LOG.errorf("cannot send from the usage spool in %s (%s); retrying", spoolDir(), e.toString());
                failedGeneration.accumulateAndGet(generation.get(), Math::max);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(1)); // acknowledgements that arrive meanwhile still count
        }
    }

    private void noteFailure(Exception failure) {
        if (!brokerFailing) {
            brokerFailing = true;
            LOG.warnf("cannot publish usage events to Kafka at %s (%s); keeping them in the spool (%d waiting)"
                    + " and retrying", kafka(), failure.toString(), spool.unacknowledged());
        }
    }

    /**
     * The record of a spooled event: keyed by tenant, with the call's trace context as its {@code traceparent} header
     * when it had one, so billing's ingestion joins the call's trace. An event that cannot be read (a damaged disk)
     * is still sent, unkeyed, for billing to see.
     */
    private ProducerRecord<String, byte[]> record(UsageSpool.Entry entry) {
        JsonNode event;
        try {
            event = json.readTree(entry.json());
        } catch (IOException e) {
            LOG.errorf("unreadable event %d in the usage spool, sent without a key: %s", entry.seq(),
                    new String(entry.json(), StandardCharsets.UTF_8));
            return new ProducerRecord<>(UsageEvent.TOPIC, null, entry.json());
        }
        var record = new ProducerRecord<>(UsageEvent.TOPIC, event.path("tenant_id").asText(null), entry.json());
        new TraceHeaders(event.path(TraceHeaders.TRACEPARENT).asText(null), null).addTo(record.headers());
        return record;
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(kafka().with(Map.<String, Object>of(
                "client.id", "gateway-usage-" + GatewayIdentity.of(config),
                "enable.idempotence", true,
                "acks", "all",
                "max.in.flight.requests.per.connection", 5,
                "linger.ms", 5,
                "request.timeout.ms", (int) config.metering().kafkaRequestTimeout().toMillis(),
                "delivery.timeout.ms", (int) Math.max(config.metering().kafkaDeliveryTimeout().toMillis(),
                        config.metering().kafkaRequestTimeout().toMillis() + 5),
                "max.block.ms", 5_000,
                "reconnect.backoff.max.ms", 2_000)),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Creates {@code usage.events} with the broker's defaults when it is missing; billing may have made it. */
    private boolean ensureTopic() {
        try {
            KafkaTopics.ensureWithBrokerDefaults(kafka(), UsageEvent.TOPIC);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private KafkaConnection kafka() {
        return KafkaConnection.of(kafkaConfig);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
