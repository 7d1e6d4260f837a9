package dev.meridian.billing.ratelimits.service;

import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.billing.RateLease;
import dev.meridian.common.billing.RateLeaseRequest;
import dev.meridian.common.tenant.TenantSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Each API key's one token bucket, shared by all gateways of all regions: a key may send {@code burst} requests at
 * once and {@code requests_per_second} after that, wherever it calls. Gateways take slices of it.
 * <p>
 * The bucket is a row holding the time it is full again (the generic cell rate algorithm, as the gateway's local
 * {@code TokenBucket}); taking tokens is one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING}, which locks the
 * row, so concurrent requests from any number of gateways and billing replicas are decided one after another and never
 * take more than the bucket holds. "Now" is this replica's clock: replicas whose clocks differ by {@code d} may let a
 * key through {@code rate × d} requests more (NTP keeps {@code d} in milliseconds).
 */
@ApplicationScoped
public class RateBuckets {

    private static final Logger LOG = Logger.getLogger(RateBuckets.class);
    /** Buckets are purged this long after they are full again, so a replica whose clock is behind loses nothing. */
    static final Duration PURGE_MARGIN = Duration.ofMinutes(1);

    // Both branches compute the same grant: on a new key from a full bucket, on an existing one from its full-at time.
    // The full-at time is capped at an empty bucket of the limit asked under (now + tolerance); under one limit it never
    // exceeds that, but a key whose plan was raised would otherwise keep waiting out the old, slower rate's debt.
    private static final String TAKE = """
            insert into rate_buckets as b (tenant_id, key_id, full_at_nanos, granted)
            values (:tenant, :key, :now + least(:want, :burst) * :interval, least(:want, :burst))
            on conflict (tenant_id, key_id) do update set
                granted = greatest(0, least(:want, (:now + :tolerance
                    - least(greatest(b.full_at_nanos, :now), :now + :tolerance)) / :interval)),
                full_at_nanos = least(greatest(b.full_at_nanos, :now), :now + :tolerance) + :interval
                    * greatest(0, least(:want, (:now + :tolerance
                    - least(greatest(b.full_at_nanos, :now), :now + :tolerance)) / :interval))
            returning granted, full_at_nanos""";

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    BillingConfig config;
    @Inject
    Clock clock;

    /** Takes up to {@code request.want()} tokens from the key's bucket; the request has been validated. */
    @Transactional
    public RateLease take(RateLeaseRequest request) {
        session.bindTenant(request.tenantId());
        // A grant is not worth an fsync: every grant of a busy key locks the same row, so waiting for the WAL flush
        // would serialise them at the disk's pace. A database crash can then forget the grants of its last moments
        // (PostgreSQL's wal_writer_delay, 200 ms), which only makes the bucket look fuller by those tokens once.
        em.createNativeQuery("set local synchronous_commit = off").executeUpdate();
        long now = nanos(clock.instant());
        long interval = intervalNanos(request.requestsPerSecond());
        long tolerance = interval * request.burst();
        Object[] row = (Object[]) em.createNativeQuery(TAKE)
                .setParameter("tenant", request.tenantId())
                .setParameter("key", request.keyId())
                .setParameter("now", now)
                .setParameter("want", (long) request.want())
                .setParameter("burst", (long) request.burst())
                .setParameter("interval", interval)
                .setParameter("tolerance", tolerance)
                .getSingleResult();
        int granted = ((Number) row[0]).intValue();
        long fullAt = ((Number) row[1]).longValue();
        // the next token is there once the full-at time is within the tolerance of now again
        long nextToken = Math.max(0, fullAt + interval - tolerance - now);
        return new RateLease(request.keyId(), granted, config.rateLimits().sliceTtl().toMillis(), ceilMillis(nextToken),
                ceilMillis(Math.max(0, fullAt - now)));
    }

    @Scheduled(identity = "billing-rate-bucket-purge", every = "{meridian.billing.rate-limits.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeIdle() {
        long purged = purgeFullBefore(clock.instant().minus(PURGE_MARGIN));
        if (purged > 0) {
            LOG.debugf("purged %d idle rate-limit buckets", purged);
        }
    }

    /** Deletes the buckets full again before {@code before} (they are the same as no row); returns how many. */
    public long purgeFullBefore(Instant before) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em
                .createNativeQuery("select purge_rate_buckets(:before)")
                .setParameter("before", nanos(before))
                .getSingleResult()).longValue());
    }

    /** Nanoseconds one token takes to refill at {@code ratePerSecond}. */
    public static long intervalNanos(int ratePerSecond) {
        return TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
    }

    static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }
}
