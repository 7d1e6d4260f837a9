package dev.meridian.tenancy.apikeys.service;

import dev.meridian.tenancy.config.TenancyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a gateway needs to authenticate a presented key, found by its public prefix through the
 * {@code api_key_by_prefix} function (the only way the app role can read a key without knowing its tenant).
 */
@ApplicationScoped
public class KeyLookup {

    public record RateLimit(int requestsPerSecond, int burst) {
    }

    public record KeyRecord(UUID keyId, UUID tenantId, String prefix, String hash, List<String> scopes,
            Instant expiresAt, Instant revokedAt, String tenantStatus, String homeRegion, String homeGatewayUrl,
            boolean transitAllowed, String plan, RateLimit rateLimit) {
    }

    @Inject
    EntityManager em;
    @Inject
    TenancyConfig config;

    @Transactional
    public Optional<KeyRecord> byPrefix(String prefix) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select key_id, tenant_id, prefix, hash, scopes, expires_at,"
                        + " revoked_at, tenant_status, home_region, transit_allowed, plan from api_key_by_prefix(:p)")
                .setParameter("p", prefix)
                .getResultList();
        return rows.stream().findFirst().map(this::toRecord);
    }

    private KeyRecord toRecord(Object[] r) {
        String homeRegion = (String) r[8];
        String plan = (String) r[10];
        var region = config.regions().get(homeRegion);
        var limits = config.plans().get(plan);
        return new KeyRecord((UUID) r[0], (UUID) r[1], (String) r[2], (String) r[3], scopes(r[4]), instant(r[5]),
                instant(r[6]), (String) r[7], homeRegion, region == null ? null : region.gatewayUrl(),
                (Boolean) r[9], plan,
                limits == null ? new RateLimit(1, 1) : new RateLimit(limits.requestsPerSecond(), limits.burst()));
    }

    private static List<String> scopes(Object value) {
        if (value instanceof String[] array) {
            return List.of(array);
        }
        if (value instanceof Object[] array) {
            return java.util.Arrays.stream(array).map(String::valueOf).toList();
        }
        return List.of();
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case Timestamp t -> t.toInstant();
            case java.time.OffsetDateTime o -> o.toInstant();
            default -> throw new IllegalStateException("unexpected time type " + value.getClass());
        };
    }
}
