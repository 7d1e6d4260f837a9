package dev.meridian.gateway.apikeys;

import static org.awaitility.Awaitility.await;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.gateway.messaging.TenancyChangesListener;
import io.quarkus.arc.Arc;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Keys for tests of a gateway that has no tenancy to ask: a real key text and the record tenancy would return for
 * it, put straight into the gateway's key cache.
 */
public final class TestKeys {

    /** What tenancy would say about a key; change one part with the {@code with*} methods. */
    public record Spec(UUID tenantId, List<String> scopes, Instant expiresAt, Instant revokedAt, String tenantStatus,
            String homeRegion, String homeGatewayUrl, boolean transitAllowed, KeyRecord.RateLimit rateLimit,
            boolean homeSovereign) {

        public static Spec active() {
            return new Spec(UUID.randomUUID(), List.of("models", "inference"), null, null, "active", "eu-central",
                    "http://localhost:8080", true, new KeyRecord.RateLimit(100, 100), false);
        }

        public Spec withTenant(UUID tenant) {
            return new Spec(tenant, scopes, expiresAt, revokedAt, tenantStatus, homeRegion, homeGatewayUrl,
                    transitAllowed, rateLimit, homeSovereign);
        }

        public Spec withScopes(String... granted) {
            return new Spec(tenantId, List.of(granted), expiresAt, revokedAt, tenantStatus, homeRegion,
                    homeGatewayUrl, transitAllowed, rateLimit, homeSovereign);
        }

        public Spec revokedAt(Instant at) {
            return new Spec(tenantId, scopes, expiresAt, at, tenantStatus, homeRegion, homeGatewayUrl,
                    transitAllowed, rateLimit, homeSovereign);
        }

        public Spec expiresAt(Instant at) {
            return new Spec(tenantId, scopes, at, revokedAt, tenantStatus, homeRegion, homeGatewayUrl,
                    transitAllowed, rateLimit, homeSovereign);
        }

        public Spec withTenantStatus(String status) {
            return new Spec(tenantId, scopes, expiresAt, revokedAt, status, homeRegion, homeGatewayUrl,
                    transitAllowed, rateLimit, homeSovereign);
        }

        public Spec homedIn(String region, String gatewayUrl, boolean transit) {
            return new Spec(tenantId, scopes, expiresAt, revokedAt, tenantStatus, region, gatewayUrl, transit,
                    rateLimit, homeSovereign);
        }

        /** Homed in a sovereign region: its calls are served only by that region's gateway. */
        public Spec homedInSovereign(String region, String gatewayUrl) {
            return new Spec(tenantId, scopes, expiresAt, revokedAt, tenantStatus, region, gatewayUrl, false,
                    rateLimit, true);
        }

        public Spec limitedTo(int perSecond, int burst) {
            return new Spec(tenantId, scopes, expiresAt, revokedAt, tenantStatus, homeRegion, homeGatewayUrl,
                    transitAllowed, new KeyRecord.RateLimit(perSecond, burst, rateLimit.tokensPerMinute()),
                    homeSovereign);
        }

        /** The plan's prompt and completion tokens per minute (0: tenancy names none, the gateway's default). */
        public Spec withTokensPerMinute(long perMinute) {
            return new Spec(tenantId, scopes, expiresAt, revokedAt, tenantStatus, homeRegion, homeGatewayUrl,
                    transitAllowed, new KeyRecord.RateLimit(rateLimit.requestsPerSecond(), rateLimit.burst(),
                            perMinute), homeSovereign);
        }
    }

    /** A key the gateway now knows, as the client would present it. */
    public record Seeded(String key, String prefix, KeyRecord record) {
    }

    private TestKeys() {
    }

    /**
     * Puts a key into the cache. Waits first until the {@code tenancy.changes} listener is connected, because it
     * empties the cache when it connects.
     */
    public static Seeded seed(KeyDirectory directory, Spec spec) {
        awaitListener();
        return seedNow(directory, spec);
    }

    /** Puts a key into the cache at once, for tests in which the listener never connects. */
    public static Seeded seedNow(KeyDirectory directory, Spec spec) {
        var generated = ApiKeySecret.generate();
        var record = new KeyRecord(UUID.randomUUID(), spec.tenantId(), generated.prefix(), generated.hash(),
                spec.scopes(), spec.expiresAt(), spec.revokedAt(), spec.tenantStatus(), spec.homeRegion(),
                spec.homeGatewayUrl(), spec.transitAllowed(), spec.homeSovereign(), "free", spec.rateLimit());
        directory.put(generated.prefix(), record);
        return new Seeded(generated.key(), generated.prefix(), record);
    }

    public static void awaitListener() {
        var listener = Arc.container().instance(TenancyChangesListener.class).get();
        await("the tenancy.changes listener connected to Kafka").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(listener::listening);
    }

    public static boolean isCached(KeyDirectory directory, String prefix) {
        return directory.isCached(prefix);
    }
}
