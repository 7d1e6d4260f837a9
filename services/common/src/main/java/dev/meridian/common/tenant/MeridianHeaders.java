package dev.meridian.common.tenant;

/**
 * Headers a gateway adds to what it forwards, after it has authenticated the caller. Services trust them only from a
 * gateway (they arrive with a service token); the raw API key is never forwarded.
 */
public final class MeridianHeaders {
    public static final String TENANT_ID = "X-Meridian-Tenant-Id";
    public static final String KEY_ID = "X-Meridian-Key-Id";
    public static final String SCOPES = "X-Meridian-Scopes";
    /** The region of the gateway that authenticated the caller. */
    public static final String REGION = "X-Meridian-Region";
    /** Set when a gateway forwards a call to the tenant's home-region gateway. */
    public static final String FORWARDED_BY = "X-Meridian-Forwarded-By";
    public static final String REQUEST_ID = "X-Request-Id";

    private MeridianHeaders() {
    }
}
