package dev.meridian.tenancy.apikeys.service;

import dev.meridian.common.apikey.ApiKeySecret;
import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.tenancy.ApiKey;
import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.Tenant;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import dev.meridian.tenancy.audit.service.AuditLog;
import dev.meridian.tenancy.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's API keys: created with a secret shown once, listed without it, revoked, rotated. Every change that a
 * gateway must honour goes out through the outbox in the same transaction.
 */
@ApplicationScoped
public class ApiKeyService {

    /** A new key and its secret, which exists only in this value and the HTTP answer that carries it. */
    public record Issued(ApiKey key, String secret) {
    }

    private static final Role[] KEY_MANAGERS = {Role.OWNER, Role.ADMIN, Role.DEVELOPER};

    @Inject
    Access access;
    @Inject
    TenantSession session;
    @Inject
    AuditLog audit;
    @Inject
    Outbox outbox;

    @Transactional
    public Issued create(Caller caller, UUID tenantId, String name, List<String> scopes, Instant expiresAt) {
        Member creator = access.memberWithRole(caller, tenantId, KEY_MANAGERS);
        List<String> granted = KeyTerms.scopes(scopes);
        KeyTerms.requireGrantable(creator.role(), granted);
        Issued issued = issue(caller, tenantId, name.strip(), granted,
                KeyTerms.expiry(expiresAt, StoredTime.now()), null);
        audit.record(caller, tenantId, "api_key.created", "api_key", issued.key().id, describe(issued.key()));
        outbox.tenancyChange(TenancyChange.API_KEY_CREATED, tenantId, issued.key().id, issued.key().prefix);
        return issued;
    }

    @Transactional
    public List<ApiKey> list(Caller caller, UUID tenantId) {
        access.member(caller, tenantId);
        return ApiKey.list("tenantId = ?1 order by createdAt", tenantId);
    }

    @Transactional
    public ApiKey get(Caller caller, UUID tenantId, UUID keyId) {
        access.member(caller, tenantId);
        return find(tenantId, keyId);
    }

    @Transactional
    public ApiKey revoke(Caller caller, UUID tenantId, UUID keyId) {
        access.memberWithRole(caller, tenantId, KEY_MANAGERS);
        ApiKey key = find(tenantId, keyId);
        Instant now = StoredTime.now();
        if (key.isRevoked(now)) {
            return key; // revoking twice changes nothing and announces nothing
        }
        key.revokedAt = now;
        audit.record(caller, tenantId, "api_key.revoked", "api_key", key.id, describe(key));
        outbox.tenancyChange(TenancyChange.API_KEY_REVOKED, tenantId, key.id, key.prefix);
        return key;
    }

    /**
     * Issues a replacement with the same name, scopes and expiry. The old key stops working now, or after
     * {@code grace} so that deployed programs can switch over; gateways hear of it either way. The rotator's role must
     * be one that may grant every scope the key carries (else a rotation would hand out a fresh secret for scopes
     * the rotator could not put on a new key); retired scopes are left off the replacement.
     */
    @Transactional
    public Issued rotate(Caller caller, UUID tenantId, UUID keyId, Duration grace) {
        Member rotator = access.memberWithRole(caller, tenantId, KEY_MANAGERS);
        ApiKey old = find(tenantId, keyId);
        Instant now = StoredTime.now();
        if (old.isRevoked(now)) {
            throw ApiException.conflict("Key " + keyId + " is revoked; create a new key instead of rotating it.");
        }
        if (old.expiresAt != null && !old.expiresAt.isAfter(now)) {
            throw ApiException.conflict("Key " + keyId + " expired at " + old.expiresAt
                    + "; create a new key instead of rotating it.");
        }
        List<String> kept = Arrays.stream(old.scopes)
                .filter(s -> Scope.fromWireName(s).filter(KeyTerms.RETIRED::contains).isEmpty()).toList();
        if (kept.isEmpty()) {
            throw ApiException.conflict("Key " + keyId + " carries only retired scopes " + List.of(old.scopes)
                    + ", which grant nothing; revoke it and create a key with the scopes it needs.");
        }
        KeyTerms.requireGrantable(rotator.role(), kept);
        Issued next = issue(caller, tenantId, old.name, kept, old.expiresAt, old.id);
        Instant end = now.plus(grace);
        old.revokedAt = old.revokedAt == null || end.isBefore(old.revokedAt) ? end : old.revokedAt;
        Map<String, Object> details = describe(next.key());
        details.put("replaces", old.id.toString());
        if (kept.size() < old.scopes.length) {
            details.put("dropped_scopes", Arrays.stream(old.scopes).filter(s -> !kept.contains(s)).toList());
        }
        details.put("old_key_revoked_at", old.revokedAt.toString());
        audit.record(caller, tenantId, "api_key.rotated", "api_key", next.key().id, details);
        outbox.tenancyChange(TenancyChange.API_KEY_CREATED, tenantId, next.key().id, next.key().prefix);
        outbox.tenancyChange(grace.isZero() ? TenancyChange.API_KEY_REVOKED : TenancyChange.API_KEY_UPDATED,
                tenantId, old.id, old.prefix);
        return next;
    }

    /** When a gateway saw a key used. */
    public record KeyUse(UUID tenantId, UUID keyId, Instant at) {
    }

    /**
     * Records when gateways saw keys used, in one transaction; a key's time only ever moves forward, so reports that
     * arrive late or twice change nothing. Uses of unknown keys (or of a key under another tenant id) are ignored.
     */
    @Transactional
    public void recordUses(List<KeyUse> uses) {
        for (KeyUse use : uses) {
            session.bindTenant(use.tenantId());
            ApiKey.update("lastUsedAt = ?1 where tenantId = ?2 and id = ?3 and (lastUsedAt is null or lastUsedAt < ?1)",
                    StoredTime.of(use.at()), use.tenantId(), use.keyId());
        }
    }

    private Issued issue(Caller caller, UUID tenantId, String name, List<String> scopes, Instant expiresAt,
            UUID rotatedFrom) {
        Tenant tenant = access.tenant(tenantId);
        if (Tenant.CLOSING.equals(tenant.status)) {
            throw ApiException.of(409, "tenant_closing", null, "The tenant is closing, so it gets no new API keys;"
                    + " its data will be erased after " + tenant.eraseAfter + ". An owner can cancel the closure"
                    + " with DELETE /api/v1/tenants/" + tenantId + "/closure.");
        }
        var secret = ApiKeySecret.generate();
        var key = new ApiKey();
        key.id = UUID.randomUUID();
        key.tenantId = tenantId;
        key.name = name;
        key.prefix = secret.prefix();
        key.hash = secret.hash();
        key.scopes = scopes.toArray(String[]::new);
        key.createdBy = caller.userId();
        key.createdAt = StoredTime.now();
        key.expiresAt = expiresAt;
        key.rotatedFrom = rotatedFrom;
        key.persist();
        return new Issued(key, secret.key());
    }

    private ApiKey find(UUID tenantId, UUID keyId) {
        return ApiKey.<ApiKey>find("tenantId = ?1 and id = ?2", tenantId, keyId).firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("No API key " + keyId + " in this tenant."));
    }

    private static Map<String, Object> describe(ApiKey key) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", key.name);
        d.put("prefix", key.prefix);
        d.put("scopes", List.of(key.scopes));
        if (key.expiresAt != null) {
            d.put("expires_at", key.expiresAt.toString());
        }
        return d;
    }
}
