package dev.meridian.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * An event on the {@code tenancy.changes} topic (keyed by tenant id): something every gateway must learn about
 * quickly, such as a revoked key or a suspended tenant. Published through the tenancy service's outbox; consumers
 * must be idempotent by {@code id}. Carries identifiers only, never secrets or customer content; {@code tenant.created}
 * also carries the tenant's {@code plan} and {@code home_region}, from which billing opens the tenant's account.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TenancyChange(
        UUID id,
        String type,
        @JsonProperty("tenant_id") UUID tenantId,
        @JsonProperty("key_id") UUID keyId,
        @JsonProperty("key_prefix") String keyPrefix,
        String plan,
        @JsonProperty("home_region") String homeRegion,
        @JsonProperty("occurred_at") Instant occurredAt) {

    public static final String TOPIC = "tenancy.changes";

    public static final String API_KEY_CREATED = "api_key.created";
    public static final String API_KEY_REVOKED = "api_key.revoked";
    /** The key's expiry, scopes or name changed (for example the old key of a rotation got a grace expiry). */
    public static final String API_KEY_UPDATED = "api_key.updated";
    /** A member's role changed or they were removed: gateways drop what they cached of the tenant's callers. */
    public static final String MEMBER_ROLE_CHANGED = "member.role_changed";
    public static final String MEMBER_REMOVED = "member.removed";
    /** A partner credential was revoked: one event per tenant the partner owns, so gateways drop its cached calls. */
    public static final String PARTNER_CREDENTIAL_REVOKED = "partner_credential.revoked";
    /** One of a partner's people was removed: one event per tenant the partner reaches. */
    public static final String PARTNER_MEMBER_REMOVED = "partner_member.removed";
    /** A tenant granted a partner delegated access (or changed its role): gateways forget cached refusals. */
    public static final String PARTNER_GRANT_GRANTED = "partner_grant.granted";
    /** A tenant revoked a partner's delegated access: gateways drop the partner's cached calls on it. */
    public static final String PARTNER_GRANT_REVOKED = "partner_grant.revoked";
    public static final String TENANT_CREATED = "tenant.created";
    public static final String TENANT_UPDATED = "tenant.updated";
    public static final String TENANT_SUSPENDED = "tenant.suspended";
    public static final String TENANT_ACTIVATED = "tenant.activated";
    /**
     * An owner closed the tenant: its keys are revoked (each also announced), every region cancels its fine-tune jobs
     * and undeploys its models; its data is erased after the grace period unless the closure is cancelled.
     */
    public static final String TENANT_CLOSED = "tenant.closed";
    /** A closure was cancelled within its grace period: the tenant is active again (keys stay revoked). */
    public static final String TENANT_REOPENED = "tenant.reopened";
    /**
     * The grace period of a closure ended: every region deletes the tenant's content (files, jobs, checkpoints,
     * models, blobs) and billing its personal details; tenancy has already removed its members and keys.
     */
    public static final String TENANT_ERASED = "tenant.erased";

    /** A new tenant, with the plan and home region it was created with. */
    public static TenancyChange tenantCreated(UUID id, UUID tenantId, String plan, String homeRegion,
            Instant occurredAt) {
        return new TenancyChange(id, TENANT_CREATED, tenantId, null, null, plan, homeRegion, occurredAt);
    }

    /** True when a gateway must drop what it cached for the whole tenant, not just one key. */
    public boolean affectsWholeTenant() {
        return type != null && type.startsWith("tenant.");
    }
}
