package dev.meridian.models.registry.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.outbox.OutboxRelay;
import dev.meridian.models.config.ModelsConfig;
import dev.meridian.models.config.OutboxRelays;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Bills stored model bytes by the day: once a UTC day has ended, each tenant's total bytes of stored model versions
 * (uploaded and fine-tuned) become one {@code stored_model_bytes} usage event for that day, so a month's quantity is
 * in byte-days. The bytes are those stored when the day is metered (within {@code check-interval} after midnight): a
 * daily snapshot, not a time integral. The events go through the registry's outbox in the transaction that records
 * the day in {@code storage_meterings}, so each day is metered once per region whatever the number of replicas and
 * restarts; their ids derive from region, tenant and day, so a copy would be dropped by billing's dedup as well.
 */
@ApplicationScoped
public class StorageMetering {

    private static final Logger LOG = Logger.getLogger(StorageMetering.class);

    @Inject
    EntityManager em;
    @Inject
    ModelsConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    @Identifier(OutboxRelays.REGISTRY)
    OutboxRelay relay;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        if (!config.storageMetering().enabled()) {
            return;
        }
        long every = config.storageMetering().checkInterval().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("storage-metering")
                .daemon().unstarted(r));
        timer.scheduleWithFixedDelay(this::meterYesterdayQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * Meters {@code day} with the bytes stored now, unless it was metered already; returns the number of usage events
     * written (0 when the day was done before, or nothing is stored).
     */
    public int meter(LocalDate day) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int claimed = em.createNativeQuery("insert into storage_meterings (day, tenants, bytes, metered_at)"
                    + " values (:day, 0, 0, :now) on conflict (day) do nothing")
                    .setParameter("day", day).setParameter("now", Instant.now()).executeUpdate();
            if (claimed == 0) {
                return 0;
            }
            @SuppressWarnings("unchecked")
            List<Object[]> stored = em.createNativeQuery("select tenant_id, bytes from stored_model_bytes()")
                    .getResultList();
            Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            String region = config.region();
            long total = 0;
            int events = 0;
            for (Object[] row : stored) {
                UUID tenant = (UUID) row[0];
                long bytes = ((Number) row[1]).longValue();
                if (bytes <= 0) {
                    continue;
                }
                record(new UsageEvent(eventId(region, tenant, day), tenant, region, Meter.STORED_MODEL_BYTES, bytes,
                        null, null, dayStart, "models:" + region));
                total += bytes;
                events++;
            }
            em.createNativeQuery("update storage_meterings set tenants = :tenants, bytes = :bytes where day = :day")
                    .setParameter("tenants", events).setParameter("bytes", total).setParameter("day", day)
                    .executeUpdate();
            return events;
        });
    }

    /** The same id for the same region, tenant and day, whoever computes it. */
    static UUID eventId(String region, UUID tenant, LocalDate day) {
        return UUID.nameUUIDFromBytes((Meter.STORED_MODEL_BYTES.wireName() + "/" + region + "/" + tenant + "/" + day)
                .getBytes(StandardCharsets.UTF_8));
    }

    private void record(UsageEvent usage) {
        try {
            relay.write(usage.id(), UsageEvent.TOPIC, usage.tenantId().toString(), json.writeValueAsString(usage),
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + usage, e);
        }
    }

    /**
     * Meters every day that ended since the last one metered (after an outage of the service, the days it missed are
     * billed with the bytes stored now, storage having stayed unless a tenant deleted it), at most 31 days back.
     */
    private void meterYesterdayQuietly() {
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        try {
            Object latest = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                    "select max(day) from storage_meterings").getSingleResult());
            LocalDate last = latest instanceof java.sql.Date date ? date.toLocalDate() : (LocalDate) latest;
            LocalDate from = last == null || last.isBefore(yesterday.minusDays(30)) ? yesterday : last.plusDays(1);
            for (LocalDate day = from; !day.isAfter(yesterday); day = day.plusDays(1)) {
                int events = meter(day);
                if (events > 0) {
                    LOG.infof("metered stored model bytes of %s: %d tenants", day, events);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot meter stored model bytes up to %s yet (%s); trying again in %s", yesterday,
                    e.getMessage(), config.storageMetering().checkInterval());
        }
    }
}
