package dev.meridian.gateway.metering;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.billing.UsageHeader;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.ids.TimeOrderedIds;
import dev.meridian.common.observe.TraceHeaders;
import dev.meridian.gateway.config.GatewayConfig;
import dev.meridian.gateway.apikeys.CallerIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Meters a call this gateway served for a tenant: one {@code requests} event (1, or what the service's usage header
 * says) and one event per other meter the header reports, all for the home region this gateway serves.
 */
@ApplicationScoped
public class UsageMeter {

    private static final Logger LOG = Logger.getLogger(UsageMeter.class);

    @Inject
    GatewayConfig config;
    @Inject
    UsagePublisher publisher;

    private volatile boolean warnedHeader;

    /** Meters a successful call and returns what it used, per meter (requests included). */
    public Map<Meter, Long> served(CallerIdentity caller, String model, String usageHeader, Instant servedAt) {
        UsageHeader usage = UsageHeader.parse(usageHeader);
        if (!usage.problems().isEmpty() && !warnedHeader) {
            warnedHeader = true;
            LOG.warnf("a service sent a usage header with parts that cannot be metered (%s): %s",
                    String.join("; ", usage.problems()), usageHeader);
        }
        Map<Meter, Long> used = quantities(usage);
        Optional<UUID> tenant = uuid(caller.tenantId());
        if (tenant.isEmpty()) {
            LOG.warnf("not metering a call for tenant id '%s', which is not a UUID", caller.tenantId());
            return used;
        }
        publisher.publish(events(tenant.get(), uuid(caller.keyId()).orElse(null), model, used, servedAt,
                config.region(), "gateway:" + config.region() + ":" + GatewayIdentity.of(config),
                TraceHeaders.current().traceparent()));
        return used;
    }

    /** Requests default to 1; a service may state another count (e.g. 0 for a call it does not bill). */
    static Map<Meter, Long> quantities(UsageHeader usage) {
        var used = new EnumMap<Meter, Long>(Meter.class);
        used.put(Meter.REQUESTS, 1L);
        used.putAll(usage.quantities());
        return used;
    }

    static List<UsageEvent> events(UUID tenant, UUID key, String model, Map<Meter, Long> used, Instant at,
            String region, String source, String traceParent) {
        List<UsageEvent> events = new ArrayList<>(used.size());
        used.forEach((meter, quantity) -> {
            if (quantity > 0) {
                events.add(new UsageEvent(TimeOrderedIds.at(at), tenant, region, meter, quantity, model, key, at, source,
                        traceParent));
            }
        });
        return events;
    }

    private static Optional<UUID> uuid(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
