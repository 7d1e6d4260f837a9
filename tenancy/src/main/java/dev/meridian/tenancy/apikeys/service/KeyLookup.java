package dev.meridian.tenancy.apikeys.service;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.PartnerReach;
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

    public record RateLimit(int requestsPerSecond, int burst, long tokensPerMinute) {
    }

    /** {@code role}: a member's (or acting partner's) role in the tenant; null for an API key. */
    public record KeyRecord(UUID keyId, UUID tenantId, String prefix, String hash, List<String> scopes,
            Instant expiresAt, Instant revokedAt, String tenantStatus, String homeRegion, String homeGatewayUrl,
            boolean transitAllowed, boolean homeSovereign, String plan, RateLimit rateLimit, String role) {
    }

    @Inject
    PartnerReach partners;
    @Inject
    EntityManager em;
    @Inject
    TenancyConfig config;
    @Inject
    TenantSession session;

    @Transactional
    public Optional<KeyRecord> byPrefix(String prefix) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select key_id, tenant_id, prefix, hash, scopes, expires_at,"
                        + " revoked_at, tenant_status, home_region, transit_allowed, plan from api_key_by_prefix(:p)")
                .setParameter("p", prefix)
                .getResultList();
        return rows.stream().findFirst().map(this::toRecord);
    }

    /**
     * A signed-in person calling {@code /v1} or {@code /v2} for a tenant (the console does, with the user's own
     * token): the record a key of theirs would have, with the member's id for the key's and exactly the scopes the
     * member's role may put on a key, so a person's token never opens more than a key they could create. Empty when
     * the user is no active member of the tenant (or there is no such tenant): the gateway cannot tell them apart.
     */
    @Transactional
    public Optional<KeyRecord> memberOf(UUID tenantId, String userId) {
        session.bindTenant(tenantId);
        Optional<Member> member = Member.<Member>find("tenantId = ?1 and userId = ?2 and status = ?3", tenantId,
                userId, Member.ACTIVE).firstResultOptional();
        if (member.isPresent()) {
            return Tenant.<Tenant>findByIdOptional(tenantId).map(t -> callerRecord(member.get().id, t,
                    member.get().role()));
        }
        return partnerOf(tenantId, userId);
    }

    /**
     * A partner reaching the tenant ({@link PartnerReach}): its credential, or one of its people, on a tenant it owns
     * or was granted, with the role the partner acts with, metered under the credential's or partner member's id.
     * Empty for a revoked credential.
     */
    private Optional<KeyRecord> partnerOf(UUID tenantId, String subject) {
        return partners.on(subject, tenantId).flatMap(r -> Tenant.<Tenant>findByIdOptional(tenantId)
                .map(t -> callerRecord(r.actorId(), t, r.role())));
    }

    private KeyRecord callerRecord(UUID callerId, Tenant t, Role role) {
        return new KeyRecord(callerId, t.id, null, null, role.keyScopes().stream().map(Scope::wireName).toList(),
                null, null, t.status, t.homeRegion, gatewayOf(t.homeRegion), t.transitAllowed,
                isSovereign(t.homeRegion), t.plan, rateLimitOf(t.plan), role.wireName());
    }

    private String gatewayOf(String region) {
        var r = config.regions().get(region);
        return r == null ? null : r.gatewayUrl();
    }

    private boolean isSovereign(String region) {
        var r = config.regions().get(region);
        return r != null && r.sovereign();
    }

    private RateLimit rateLimitOf(String plan) {
        var limits = config.plans().get(plan);
        // an unknown plan gets the strictest limits, never none (0 tokens per minute: the gateway's default)
        return limits == null ? new RateLimit(1, 1, 0)
                : new RateLimit(limits.requestsPerSecond(), limits.burst(), limits.tokensPerMinute());
    }

    private KeyRecord toRecord(Object[] r) {
        String homeRegion = (String) r[8];
        String plan = (String) r[10];
        return new KeyRecord((UUID) r[0], (UUID) r[1], (String) r[2], (String) r[3], scopes(r[4]), instant(r[5]),
                instant(r[6]), (String) r[7], homeRegion, gatewayOf(homeRegion), (Boolean) r[9], isSovereign(homeRegion),
                plan, rateLimitOf(plan), null);
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
