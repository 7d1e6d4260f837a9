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
    /**
     * The tenant's home region as the gateway that hands the call to a regional service asserts it. Services that
     * hold customer content (models, files) refuse a call whose home region is not their own.
     */
    public static final String HOME_REGION = "X-Meridian-Home-Region";
    /** Set when a gateway forwards a call to the tenant's home-region gateway. */
    public static final String FORWARDED_BY = "X-Meridian-Forwarded-By";
    /**
     * The role in the tenant of the signed-in member a gateway authenticated ({@code owner}, {@code admin}...), on
     * management calls a regional service answers (tenant exports); absent for API keys.
     */
    public static final String MEMBER_ROLE = "X-Meridian-Member-Role";
    public static final String REQUEST_ID = "X-Request-Id";
    /**
     * Set by a service on its response: what the call used, as {@code meter=quantity} pairs separated by commas,
     * e.g. {@code input_tokens=12,embedded_items=3} (meter wire names of {@code Meter}). The gateway meters from it
     * and strips it before the response reaches the client. A successful response without it meters one request.
     */
    public static final String USAGE = "X-Meridian-Usage";
    /** Set by a service on its response: the model that served the call, for usage events. */
    public static final String MODEL = "X-Meridian-Model";

    private MeridianHeaders() {
    }
}
